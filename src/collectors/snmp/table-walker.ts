import type { SnmpSession } from './snmp-session.js';
import { SnmpType, type RawVarbind } from './varbind-values.js';

export interface WalkOptions {
  readonly maxRepetitions: number;
  /** More rows than this in one column is an endless table. */
  readonly maxRows: number;
  /** Columns walked at once against the device. */
  readonly parallel: number;
  readonly signal: AbortSignal;
  /** Local time, read as each answer arrives: rates divide by the time between two readings of the same counter. */
  readonly now: () => number;
}

/** A varbind and the local time its answer arrived. */
export type TimedVarbind = RawVarbind & { readonly at: number };

/** A walk that had to be abandoned: the agent loops, or the table never ends. */
export class WalkError extends Error {
  constructor(readonly reason: 'walk_loop' | 'table_too_long', message: string, readonly oid: string) {
    super(message);
  }
}

export function parseOid(oid: string): number[] {
  return oid.split('.').map(Number);
}

/** Lexicographic order of OIDs by sub-identifier (RFC 3416 §4.2.2). */
export function compareOids(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * The same order as `compareOids` on the text of two OIDs, without parsing
 * them: the walker checks every varbind of a walk, and an array per varbind
 * was most of its garbage. Sub-identifiers are compared as numbers (no
 * leading zeros in an OID's text): a longer run of digits is larger.
 * `from`: where both texts start to differ at most, just after a dot they
 * share with everything before it (a column's `prefix.`); the walker skips
 * the column's twenty-odd characters, half its time per varbind.
 */
export function compareOidText(a: string, b: string, from = 0): number {
  let i = from;
  let j = from;
  for (;;) {
    if (i >= a.length || j >= b.length) return (i >= a.length ? 0 : 1) - (j >= b.length ? 0 : 1);
    let ei = i;
    while (ei < a.length && a.charCodeAt(ei) !== 46) ei++;
    let ej = j;
    while (ej < b.length && b.charCodeAt(ej) !== 46) ej++;
    if (ei - i !== ej - j) return ei - i - (ej - j);
    for (let k = 0; k < ei - i; k++) {
      const d = a.charCodeAt(i + k) - b.charCodeAt(j + k);
      if (d !== 0) return d;
    }
    i = ei + 1;
    j = ej + 1;
  }
}

/** `index` of `oid` under `column` (`1.3.6.1.2.1.2.2.1.10` + `.3` → `3`), or undefined outside it. */
export function indexUnder(column: string, oid: string): string | undefined {
  return oid.startsWith(column + '.') ? oid.slice(column.length + 1) : undefined;
}

/** Where a walk hands each varbind as it arrives: `index` is its row (`3` of `…10.3`), `at` the local time of its answer. */
export type VarbindVisitor = (column: string, index: string, vb: RawVarbind, at: number) => void;

/**
 * Every instance of one table column, in order, each handed to `visit` as
 * its answer arrives; returns how many there were. Each answer must move
 * strictly forward: an agent that repeats or goes back would otherwise be
 * walked forever, so that ends the walk with walk_loop.
 *
 * Nothing of an answer outlives its visit here: a walk of a big table takes
 * seconds, and varbinds kept until it ends outlived the young generation
 * and were most of the old space's garbage at 10,000 interfaces.
 */
export async function visitColumn(session: SnmpSession, column: string, o: WalkOptions, visit: VarbindVisitor): Promise<number> {
  let rows = 0;
  const prefix = column + '.';
  let last = column;
  let from = column;
  for (;;) {
    const batch = await session.next(from, o.maxRepetitions, o.signal);
    const at = o.now();
    if (batch.length === 0) return rows;
    for (const vb of batch) {
      if (vb.type === SnmpType.EndOfMibView || !vb.oid.startsWith(prefix)) return rows;
      // Both start with `prefix` (the column itself, before the first row, is below any row of it).
      if (rows > 0 && compareOidText(vb.oid, last, prefix.length) <= 0) {
        throw new WalkError('walk_loop', `agent returned ${vb.oid} after ${last}: OIDs not increasing`, column);
      }
      last = vb.oid;
      if (++rows > o.maxRows) {
        throw new WalkError('table_too_long', `column ${column} has more than ${o.maxRows} rows (snmp.max_rows)`, column);
      }
      visit(column, vb.oid.slice(prefix.length), vb, at);
    }
    from = batch[batch.length - 1]!.oid;
  }
}

/** Every instance of one table column, in order, kept (custom OIDs: a few rows). */
export async function walkColumn(session: SnmpSession, column: string, o: WalkOptions): Promise<TimedVarbind[]> {
  const out: TimedVarbind[] = [];
  // One object shape for every varbind (a spread of net-snmp's object is a slow generic copy).
  await visitColumn(session, column, o, (_c, _i, vb, at) => out.push({ oid: vb.oid, type: vb.type, value: vb.value, at }));
  return out;
}

/** Values of a column by row index. */
export type Column = Map<string, TimedVarbind>;

/**
 * Walks several columns, at most `parallel` at a time, handing every
 * varbind to `visit` as it arrives. The first failure (a walk's, or a
 * visit's: a value of the wrong type) stops the remaining walks.
 */
export async function visitColumns(session: SnmpSession, columns: readonly string[], o: WalkOptions, visit: VarbindVisitor): Promise<void> {
  const queue = [...columns];
  let failed: unknown;
  const worker = async () => {
    for (let column = queue.shift(); column !== undefined && failed === undefined; column = queue.shift()) {
      try {
        await visitColumn(session, column, o, visit);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.parallel, columns.length)) }, worker));
  if (failed !== undefined) throw failed;
}

/** Walks several columns as visitColumns does and returns each as index → varbind. */
export async function walkColumns(session: SnmpSession, columns: readonly string[], o: WalkOptions): Promise<Map<string, Column>> {
  const result = new Map<string, Column>(columns.map((c) => [c, new Map()]));
  await visitColumns(session, columns, o, (column, index, vb, at) => {
    result.get(column)!.set(index, { oid: vb.oid, type: vb.type, value: vb.value, at });
  });
  return result;
}
