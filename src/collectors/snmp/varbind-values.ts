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

const MAX_U64 = (1n << 64n) - 1n;

/**
 * Counter64 arrives as the BER content octets, a Buffer of 1 to 9 bytes:
 * agents drop leading zero bytes, and a value with its top bit set takes a
 * leading 0x00 so it does not read as negative. Read it as an unsigned
 * big-endian integer of any length; `readBigUInt64BE` would reject all but 8.
 */
export function decodeCounter64(buf: Buffer, oid = ''): bigint {
  if (buf.length === 0 || buf.length > 9) {
    throw new ValueError('malformed', `Counter64 of ${buf.length} bytes at ${oid}`, oid);
  }
  // Up to 6 bytes (2^48: 281 TB of octets) is exact as a double: one BigInt, not one per byte.
  if (buf.length <= 6) return BigInt(buf.readUIntBE(0, buf.length));
  let v = 0n;
  for (const byte of buf) v = (v << 8n) | BigInt(byte);
  if (v > MAX_U64) throw new ValueError('malformed', `Counter64 larger than 2^64-1 at ${oid}`, oid);
  return v;
}

function exception(vb: RawVarbind): ValueError | undefined {
  if (vb.type === SnmpType.NoSuchObject || vb.type === SnmpType.NoSuchInstance) {
    return new ValueError('no_such_object', `${vb.type === SnmpType.NoSuchObject ? 'noSuchObject' : 'noSuchInstance'} at ${vb.oid}`, vb.oid);
  }
  if (vb.type === SnmpType.EndOfMibView) return new ValueError('no_such_object', `endOfMibView at ${vb.oid}`, vb.oid);
  return undefined;
}

/** A counter reading; any other type is wrong_type. */
export function asCounter(vb: RawVarbind): CounterReading {
  const ex = exception(vb);
  if (ex) throw ex;
  if (vb.type === SnmpType.Counter64) {
    if (Buffer.isBuffer(vb.value)) return { value: decodeCounter64(vb.value, vb.oid), bits: 64 };
    if (typeof vb.value === 'number' && Number.isSafeInteger(vb.value) && vb.value >= 0) return { value: BigInt(vb.value), bits: 64 };
    throw new ValueError('malformed', `unreadable Counter64 at ${vb.oid}`, vb.oid);
  }
  if (vb.type === SnmpType.Counter32) {
    if (typeof vb.value === 'number' && vb.value >= 0 && vb.value <= 0xffffffff) return { value: BigInt(vb.value), bits: 32 };
    throw new ValueError('malformed', `Counter32 out of range at ${vb.oid}`, vb.oid);
  }
  throw new ValueError('wrong_type', `expected a counter at ${vb.oid}, got ${typeName(vb.type)}`, vb.oid);
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
      return Number(asCounter(vb).value);
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
