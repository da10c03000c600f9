import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { asn1BerReadOid } from './oid-text.js';

const requireFromNetSnmp = createRequire(createRequire(import.meta.url).resolve('net-snmp'));
const { Reader, Writer } = (requireFromNetSnmp('asn1-ber') as { Ber: { Reader: { new (b: Buffer): Reader; prototype: Reader }; Writer: new () => Writer } }).Ber;
interface Reader { readOID(tag?: number): string | null; readSequence(): number | null; _offset: number }
interface Writer { startSequence(): void; endSequence(): void; writeOID(oid: string): void; writeBuffer(b: Buffer, tag: number): void; buffer: Buffer }

/** The OIDs read back, in turn, from a sequence of the encoded `oids`, by `read`. */
function readBack(encoded: Buffer, count: number, read: (r: Reader) => string | null): Array<string | null> {
  const r = new Reader(encoded);
  r.readSequence();
  return Array.from({ length: count }, () => read(r));
}

function encode(parts: Array<string | Buffer>): Buffer {
  const w = new Writer();
  w.startSequence();
  for (const p of parts) (typeof p === 'string' ? w.writeOID(p) : w.writeBuffer(p, 0x06));
  w.endSequence();
  return w.buffer;
}

describe('OID text read from an SNMP message', () => {
  it('is read by kpid\'s reader in the asn1-ber that net-snmp loads', () => {
    expect(Reader.prototype.readOID).not.toBe(asn1BerReadOid);
  });

  const subIds = [0, 1, 9, 10, 39, 40, 99, 127, 128, 16_383, 16_384, 2 ** 21 - 1, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1];

  it('is the text asn1-ber itself gives, for every sub-identifier size and first-arc form', () => {
    const oids: string[] = [];
    for (const first of ['0.0', '0.39', '1.3', '1.39', '2.0', '2.39', '2.40', '2.999']) {
      for (const v of subIds) oids.push(`${first}.${v}`, `${first}.6.1.2.1.31.1.1.1.6.${v}`);
    }
    oids.push('1.3', `1.3.${Array.from({ length: 120 }, (_, i) => i * 997).join('.')}`);
    const encoded = encode(oids);
    const fast = readBack(encoded, oids.length, (r) => r.readOID());
    expect(fast).toEqual(readBack(encoded, oids.length, (r) => asn1BerReadOid.call(r as never)));
    expect(fast.slice(0, 4)).toEqual(['0.0.0', '0.0.6.1.2.1.31.1.1.1.6.0', '0.0.1', '0.0.6.1.2.1.31.1.1.1.6.1']);
    expect(fast).toContain(`1.3.6.1.2.1.31.1.1.1.6.${2 ** 32 - 1}`);
  });

  it('is the same as asn1-ber gives for malformed OIDs: empty, truncated, longer than 185 bytes', () => {
    const parts = [Buffer.alloc(0), Buffer.from([0x81]), Buffer.from([0x2b, 0x06, 0x81]), Buffer.from([0x2b, ...Array.from({ length: 200 }, () => 0x05)]), Buffer.from([0x2b, 0x06, 0x01])];
    const encoded = encode(parts);
    const fast = readBack(encoded, parts.length, (r) => r.readOID());
    expect(fast).toEqual(readBack(encoded, parts.length, (r) => asn1BerReadOid.call(r as never)));
    expect(fast[1]).toBe('0.NaN');
    expect(fast[4]).toBe('1.3.6.1');
  });

  it('leaves the reader just after the OID', () => {
    const encoded = encode(['1.3.6.1.2.1.2.2.1.10.7', '1.3.6.1.2.1.2.2.1.10.8']);
    const r = new Reader(encoded);
    const theirs = new Reader(encoded);
    r.readSequence();
    theirs.readSequence();
    expect(r.readOID()).toBe('1.3.6.1.2.1.2.2.1.10.7');
    asn1BerReadOid.call(theirs as never);
    // Sequence header, OID tag and length, 10 bytes of OID.
    expect(r._offset).toBe(14);
    expect(r._offset).toBe(theirs._offset);
    expect(r.readOID()).toBe('1.3.6.1.2.1.2.2.1.10.8');
  });
});
