import { describe, expect, it } from 'vitest';
import type { SnmpSession } from './snmp-session.js';
import { compareOidText, compareOids, parseOid, walkColumn, walkColumns, WalkError, type WalkOptions } from './table-walker.js';
import { SnmpType, type RawVarbind } from './varbind-values.js';

const COL = '1.3.6.1.2.1.2.2.1.10';
const opts = (over: Partial<WalkOptions> = {}): WalkOptions =>
  ({ maxRepetitions: 10, maxRows: 1000, parallel: 4, signal: new AbortController().signal, now: () => 0, ...over });
const counter = (oid: string): RawVarbind => ({ oid, type: SnmpType.Counter32, value: 1 });

/** A session whose GETBULK answers come from `answer(from, max)`. */
function session(answer: (from: string, max: number) => RawVarbind[]): SnmpSession & { calls: number; maxInFlight: number } {
  let inFlight = 0;
  const s = {
    version: '2c' as const,
    calls: 0,
    maxInFlight: 0,
    get: async () => [],
    async next(from: string, max: number) {
      s.calls++;
      s.maxInFlight = Math.max(s.maxInFlight, ++inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
      return answer(from, max);
    },
    close() {},
  };
  return s;
}

/** A well-behaved agent with `rows` rows in each of the columns it is asked for, then the next column. */
const table = (rows: number) => (from: string, max: number) => {
  const parts = parseOid(from);
  const column = parts.slice(0, 10).join('.');
  const index = parts.length > 10 ? parts[10]! : 0;
  const out: RawVarbind[] = [];
  for (let i = index + 1; i <= rows && out.length < max; i++) out.push(counter(`${column}.${i}`));
  if (out.length < max) out.push(counter(`1.3.6.1.2.1.2.2.1.${parts[9]! + 1}.1`));
  return out;
};

describe('compareOidText: the order of compareOids, read off the text', () => {
  it.each([
    ['1.3.6.1.2', '1.3.6.1.10', -1],
    ['1.3.6.1', '1.3.6.1.0', -1],
    ['1.3.6.2', '1.3.6.1.9', 1],
    ['1.3.6', '1.3.6', 0],
    ['1.3.6.1.2.1.2.2.1.10.99', '1.3.6.1.2.1.2.2.1.10.100', -1],
    ['1.3.6.1.2.1.2.2.1.10.100', '1.3.6.1.2.1.2.2.1.10', 1],
  ])('%s vs %s', (a, b, sign) => {
    expect(Math.sign(compareOidText(a, b))).toBe(sign);
  });

  it('agrees with compareOids on 2,000 random pairs', () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const oid = () => Array.from({ length: 1 + rnd(6) }, () => String(rnd(3) === 0 ? rnd(3) : rnd(100_000))).join('.');
    for (let i = 0; i < 2000; i++) {
      const [a, b] = [oid(), rnd(4) === 0 ? '' : oid()];
      const b2 = b || a;
      expect([a, b2, Math.sign(compareOidText(a, b2))]).toEqual([a, b2, Math.sign(compareOids(parseOid(a), parseOid(b2)))]);
    }
  });

  it('agrees with compareOids on 2,000 random rows of one column, read from after the column', () => {
    let seed = 11;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const column = '1.3.6.1.2.1.31.1.1.1.6';
    const row = () => `${column}.${Array.from({ length: 1 + rnd(3) }, () => String(rnd(3) === 0 ? rnd(12) : rnd(100_000))).join('.')}`;
    for (let i = 0; i < 2000; i++) {
      const a = row();
      const b = rnd(4) === 0 ? a : row();
      expect([a, b, Math.sign(compareOidText(a, b, column.length + 1))]).toEqual([a, b, Math.sign(compareOids(parseOid(a), parseOid(b)))]);
    }
  });
});

describe('compareOids', () => {
  it.each([
    ['1.3.6.1.2', '1.3.6.1.10', -1], // numeric, not string order
    ['1.3.6.1', '1.3.6.1.0', -1],
    ['1.3.6.2', '1.3.6.1.9', 1],
    ['1.3.6', '1.3.6', 0],
  ])('%s vs %s', (a, b, sign) => {
    expect(Math.sign(compareOids(parseOid(a), parseOid(b)))).toBe(sign);
  });
});

describe('walkColumn', () => {
  it('walks every row of a column across several GETBULKs and stops at the next column', async () => {
    const s = session(table(25));
    const rows = await walkColumn(s, COL, opts({ maxRepetitions: 10 }));
    expect(rows.map((r) => r.oid.split('.').pop())).toEqual(Array.from({ length: 25 }, (_, i) => String(i + 1)));
    expect(s.calls).toBe(3);
  });

  it('stops at endOfMibView', async () => {
    const s = session(() => [counter(`${COL}.1`), { oid: `${COL}.1`, type: SnmpType.EndOfMibView, value: null }]);
    expect(await walkColumn(s, COL, opts())).toHaveLength(1);
  });

  it.each([
    ['repeats the same OID', () => [counter(`${COL}.1`), counter(`${COL}.1`)]],
    ['goes backwards', () => [counter(`${COL}.5`), counter(`${COL}.2`)]],
    ['answers every request with the same row', () => [counter(`${COL}.1`)]],
  ])('an agent that %s ends with walk_loop instead of walking forever', async (_n, answer) => {
    const err = await walkColumn(session(answer), COL, opts()).catch((e) => e);
    expect(err).toBeInstanceOf(WalkError);
    expect(err.reason).toBe('walk_loop');
  });

  it('an endless table (ever-increasing rows) ends with table_too_long at max_rows', async () => {
    const s = session((from, max) => {
      const last = Number(from.split('.').pop());
      return Array.from({ length: max }, (_, i) => counter(`${COL}.${(Number.isFinite(last) && from !== COL ? last : 0) + i + 1}`));
    });
    const err = await walkColumn(s, COL, opts({ maxRows: 100 })).catch((e) => e);
    expect(err.reason).toBe('table_too_long');
    expect(s.calls).toBeLessThanOrEqual(11);
  });
});

describe('walkColumns', () => {
  it('walks columns in parallel, never more than the per-device cap at once', async () => {
    const s = session(table(30));
    const columns = Array.from({ length: 8 }, (_, i) => `1.3.6.1.2.1.2.2.1.${i + 2}`);
    const result = await walkColumns(s, columns, opts({ parallel: 3 }));
    expect([...result.keys()].sort()).toEqual([...columns].sort());
    for (const c of columns) expect(result.get(c)!.size).toBe(30);
    expect(s.maxInFlight).toBe(3);
  });
});
