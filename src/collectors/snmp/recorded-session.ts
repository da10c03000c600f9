import type { SnmpSession } from './snmp-session.js';
import { SnmpRequestError } from './snmp-session.js';
import { compareOids, parseOid } from './table-walker.js';
import { SnmpType, type RawVarbind } from './varbind-values.js';

/** A varbind as stored in testdata: byte strings as hex, so Counter64 keeps its exact length. */
export interface RecordedVarbind {
  readonly oid: string;
  readonly type: number;
  readonly value?: number | string;
  readonly hex?: string;
}

export interface RecordedWalk {
  /** Local epoch milliseconds when the walk was recorded. */
  readonly at: number;
  readonly varbinds: readonly RecordedVarbind[];
}

export function toRecorded(vb: RawVarbind): RecordedVarbind {
  if (Buffer.isBuffer(vb.value)) return { oid: vb.oid, type: vb.type, hex: vb.value.toString('hex') };
  return { oid: vb.oid, type: vb.type, value: vb.value as number | string };
}

/**
 * Answers GET and GETBULK from a recorded walk, the way an agent would:
 * the SNMP connection behind an interface so tests replay real devices
 * (Telegraf's snmp plugin does the same). `silent` makes every request time out.
 */
export class RecordedSession implements SnmpSession {
  readonly version = '2c' as const;
  silent = false;
  requests = 0;
  private sorted: { oid: number[]; vb: RawVarbind }[] = [];

  constructor(walk: RecordedWalk) {
    this.load(walk);
  }

  load(walk: RecordedWalk): void {
    this.sorted = walk.varbinds
      .map((r) => ({ oid: parseOid(r.oid), vb: { oid: r.oid, type: r.type, value: r.hex !== undefined ? Buffer.from(r.hex, 'hex') : r.value } }))
      .sort((a, b) => compareOids(a.oid, b.oid));
  }

  async get(oids: readonly string[]): Promise<RawVarbind[]> {
    this.check(oids[0] ?? '');
    return oids.map((oid) => this.sorted.find((e) => e.vb.oid === oid)?.vb ?? { oid, type: SnmpType.NoSuchObject, value: null });
  }

  async next(oid: string, maxRepetitions: number): Promise<RawVarbind[]> {
    this.check(oid);
    const from = parseOid(oid);
    const i = this.sorted.findIndex((e) => compareOids(e.oid, from) > 0);
    if (i < 0) return [{ oid, type: SnmpType.EndOfMibView, value: null }];
    return this.sorted.slice(i, i + maxRepetitions).map((e) => e.vb);
  }

  close(): void {}

  private check(oid: string): void {
    this.requests++;
    if (this.silent) throw new SnmpRequestError('timeout', `Request timed out (OID ${oid})`, oid);
  }
}
