import { createRequire } from 'node:module';

/** The part of asn1-ber's BER reader that OIDs are read with (lib/ber/reader.js). */
interface BerReader {
  _buf: Buffer;
  _size: number;
  _offset: number;
  length: number;
  peek(): number | null;
  readLength(offset: number): number | null;
  readOID(tag?: number): string | null;
}

// The asn1-ber that net-snmp itself loads (it is net-snmp's dependency, not kpid's).
const requireFromNetSnmp = createRequire(createRequire(import.meta.url).resolve('net-snmp'));
const Reader = (requireFromNetSnmp('asn1-ber') as { Ber: { Reader: { prototype: BerReader } } }).Ber.Reader;

/** asn1-ber's own readOID, kept for what the fast one hands back to it, and for tests. */
export const asn1BerReadOid: (this: BerReader, tag?: number) => string | null = Reader.prototype.readOID;

const OID_TAG = 0x06;
/** Room for the text of an OID of up to 185 encoded bytes (each sub-identifier at most 10 digits and a dot). */
const text = Buffer.alloc(2048);

/** Writes `v` (a uint32) in decimal at `at`; returns where it ends. */
function digits(v: number, at: number): number {
  let end = at;
  for (let x = v; x >= 10; x = (x / 10) >>> 0) end++;
  for (let x = v, i = end; i >= at; i--) {
    const q = (x / 10) >>> 0;
    text[i] = 48 + x - q * 10;
    x = q;
  }
  return end + 1;
}

/**
 * The text of a BER-encoded OID, as asn1-ber's readOID gives it, written
 * into one scratch buffer and read out as one string. Its own builds a
 * Buffer view, an array of sub-identifiers and a joined string per OID:
 * at 10,000 interfaces (190,000 varbinds every 10 s) that was 27 % of the
 * daemon's allocated bytes and the largest single source of its garbage.
 * Anything unusual (another tag, an empty or truncated OID, one too long
 * for the buffer) goes to asn1-ber's own, unread, so the results are the same.
 */
function readOid(this: BerReader, tag?: number): string | null {
  const t = tag || OID_TAG;
  if (this.peek() !== t) return asn1BerReadOid.call(this, tag);
  const start = this.readLength(this._offset + 1);
  const length = this.length;
  if (start === null || length === 0 || length > this._size - start || (length + 1) * 11 > text.length) return asn1BerReadOid.call(this, tag);
  const b = this._buf;
  const end = start + length;
  // A last byte that says "more follows": asn1-ber drops that sub-identifier (and with none left reads "0.NaN").
  if (b[end - 1]! & 0x80) return asn1BerReadOid.call(this, tag);
  this._offset = end;
  let at = 0;
  let value = 0;
  let first = true;
  for (let i = start; i < end; i++) {
    const byte = b[i]!;
    // The same 32-bit arithmetic as asn1-ber's, overflow included.
    value <<= 7;
    value += byte & 0x7f;
    if ((byte & 0x80) !== 0) continue;
    const v = value >>> 0;
    if (first) {
      // The first sub-identifier holds the first two arcs: 40 × X + Y.
      at = digits((v / 40) >> 0, 0);
      text[at++] = 46;
      at = digits(v % 40, at);
      first = false;
    } else {
      text[at++] = 46;
      at = digits(v, at);
    }
    value = 0;
  }
  return text.toString('latin1', 0, at);
}

Reader.prototype.readOID = readOid;
