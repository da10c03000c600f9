import type { CounterReading } from './counter-rates.js';

/** SNMP value types (RFC 2578 application tags) as net-snmp numbers them. */
export const SnmpType = {
  Integer: 2,
  OctetString: 4,
  Null: 5,
  OID: 6,
  IpAddress: 64,
  Counter32: 65,
  Gauge32: 66,
  TimeTicks: 67,
  Opaque: 68,
  Counter64: 70,
  NoSuchObject: 128,
  NoSuchInstance: 129,
  EndOfMibView: 130,
} as const;

export interface RawVarbind {
  readonly oid: string;
  readonly type: number;
  readonly value: unknown;
}

/** A value of the wrong type or shape; the caller turns it into a CollectorError naming the OID. */
export class ValueError extends Error {
  constructor(readonly reason: 'wrong_type' | 'malformed' | 'no_such_object', message: string, readonly oid: string) {
    super(message);
  }
}

/**
 * Counter64 arrives as the BER content octets, a Buffer of 1 to 9 bytes:
 * agents drop leading zero bytes, and a value with its top bit set takes a
 * leading 0x00 so it does not read as negative. Read it as an unsigned
 * big-endian integer of any length (`readBigUInt64BE` would reject all but
 * 8) into two 32-bit words at `words[i]` (high) and `words[i + 1]` (low):
 * exact, and no BigInt.
 */
function decodeCounter64Words(buf: Buffer, oid: string, words: Uint32Array, i: number): void {
  if (buf.length === 0 || buf.length > 9) {
    throw new ValueError('malformed', `Counter64 of ${buf.length} bytes at ${oid}`, oid);
  }
  if (buf.length === 9 && buf[0] !== 0) throw new ValueError('malformed', `Counter64 larger than 2^64-1 at ${oid}`, oid);
  let hi = 0;
  let lo = 0;
  for (let k = 0; k < buf.length; k++) {
    hi = ((hi << 8) | (lo >>> 24)) >>> 0;
    lo = ((lo << 8) | buf[k]!) >>> 0;
  }
  words[i] = hi;
  words[i + 1] = lo;
}

/** Where asCounter and decodeCounter64 decode before making their BigInt. */
const scratch = new Uint32Array(2);
const toBigInt = (words: Uint32Array) => (BigInt(words[0]!) << 32n) | BigInt(words[1]!);

/** A Counter64's BER content octets as a BigInt (see decodeCounter64Words). */
export function decodeCounter64(buf: Buffer, oid = ''): bigint {
  decodeCounter64Words(buf, oid, scratch, 0);
  return toBigInt(scratch);
}

function exception(vb: RawVarbind): ValueError | undefined {
  if (vb.type === SnmpType.NoSuchObject || vb.type === SnmpType.NoSuchInstance) {
    return new ValueError('no_such_object', `${vb.type === SnmpType.NoSuchObject ? 'noSuchObject' : 'noSuchInstance'} at ${vb.oid}`, vb.oid);
  }
  if (vb.type === SnmpType.EndOfMibView) return new ValueError('no_such_object', `endOfMibView at ${vb.oid}`, vb.oid);
  return undefined;
}

/**
 * A counter's value into two 32-bit words at `words[i]` (high) and
 * `words[i + 1]` (low), returning its width; any other type is wrong_type.
 */
export function readCounter(vb: RawVarbind, words: Uint32Array, i: number): 32 | 64 {
  const ex = exception(vb);
  if (ex) throw ex;
  if (vb.type === SnmpType.Counter64) {
    if (Buffer.isBuffer(vb.value)) {
      decodeCounter64Words(vb.value, vb.oid, words, i);
      return 64;
    }
    if (typeof vb.value === 'number' && Number.isSafeInteger(vb.value) && vb.value >= 0) {
      words[i] = Math.floor(vb.value / 2 ** 32);
      words[i + 1] = vb.value >>> 0;
      return 64;
    }
    throw new ValueError('malformed', `unreadable Counter64 at ${vb.oid}`, vb.oid);
  }
  if (vb.type === SnmpType.Counter32) {
    if (typeof vb.value === 'number' && Number.isInteger(vb.value) && vb.value >= 0 && vb.value <= 0xffffffff) {
      words[i] = 0;
      words[i + 1] = vb.value;
      return 32;
    }
    throw new ValueError('malformed', `Counter32 out of range at ${vb.oid}`, vb.oid);
  }
  throw new ValueError('wrong_type', `expected a counter at ${vb.oid}, got ${typeName(vb.type)}`, vb.oid);
}

/** A counter reading as a BigInt (custom OIDs: a few per poll); any other type is wrong_type. */
export function asCounter(vb: RawVarbind): CounterReading {
  const bits = readCounter(vb, scratch, 0);
  return { value: toBigInt(scratch), bits };
}

/** A number: Integer, Gauge32, TimeTicks, or a counter taken as a gauge. */
export function asNumber(vb: RawVarbind): number {
  const ex = exception(vb);
  if (ex) throw ex;
  switch (vb.type) {
    case SnmpType.Integer:
    case SnmpType.Gauge32:
    case SnmpType.TimeTicks:
    case SnmpType.Counter32:
      if (typeof vb.value === 'number') return vb.value;
      break;
    case SnmpType.Counter64:
      readCounter(vb, scratch, 0);
      // Rounded once, to the nearest double, as Number(BigInt) would.
      return scratch[0]! * 2 ** 32 + scratch[1]!;
    default:
      throw new ValueError('wrong_type', `expected a number at ${vb.oid}, got ${typeName(vb.type)}`, vb.oid);
  }
  throw new ValueError('malformed', `unreadable ${typeName(vb.type)} at ${vb.oid}`, vb.oid);
}

/** Text from an OctetString (names, descriptions); numbers are rendered. */
export function asText(vb: RawVarbind): string {
  const ex = exception(vb);
  if (ex) throw ex;
  if (Buffer.isBuffer(vb.value)) return vb.value.toString('utf8').replace(/\0+$/, '');
  if (typeof vb.value === 'string' || typeof vb.value === 'number') return String(vb.value);
  throw new ValueError('wrong_type', `expected text at ${vb.oid}, got ${typeName(vb.type)}`, vb.oid);
}

export function typeName(type: number): string {
  return Object.entries(SnmpType).find(([, t]) => t === type)?.[0] ?? `type ${type}`;
}
