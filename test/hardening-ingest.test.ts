import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ingest } from '../src/collectors/ingest/ingest-config.js';
import { ingestLimits } from '../src/collectors/ingest/ingest-options.js';
import { PushIngest } from '../src/collectors/ingest/push-ingest.js';
import { FakeClock } from '../src/core/clock.js';

const NOW = Date.UTC(2026, 5, 1);
const HOUR = 3_600_000;
const defaults = ingestLimits(ingest.parse({}));

/** A PushIngest on a fake clock that counts refusals by limit, as kpid_ingest_refused_total does. */
function pushIngest(overrides: Partial<typeof defaults> = {}) {
  const clock = new FakeClock(NOW);
  const refused: Record<string, number> = {};
  const ingestor = new PushIngest({ ...defaults, ...overrides }, clock, (limit) => (refused[limit] = (refused[limit] ?? 0) + 1));
  const push = (body: string) => ingestor.parse(body, 'text/plain', 'ms');
  return { clock, refused, ingestor, push };
}

describe('ingest cardinality: what pushes may make kpid remember is bounded', () => {
  it('12,000 distinct measurement names: the first 1,000 are kept, the rest refused naming ingest.max_measurements, memory stays bounded', () => {
    const { ingestor, push, refused } = pushIngest();
    const heapBefore = process.memoryUsage().heapUsed;
    let accepted = 0;
    const reasons = new Set<string | undefined>();
    for (let batch = 0; batch < 12; batch++) {
      const body = Array.from({ length: 1000 }, (_, i) => `junk_${batch}_${i},tag=x value=1`).join('\n');
      const r = push(body);
      accepted += r.accepted;
      r.rejected.forEach((x) => reasons.add(x.limit));
    }
    expect(accepted).toBe(1000);
    expect(reasons).toEqual(new Set(['ingest.max_measurements']));
    expect(refused).toEqual({ max_measurements: 11_000 });
    expect(ingestor.tracked).toEqual({ series: 1000, measurements: 1000 });
    // Bounded: what it holds does not grow with what it refused (generous: 1,000 small series are well under 20 MB).
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(20 * 1024 * 1024);
  });

  it('the total series limit holds across measurements, and known series keep flowing at the limit', () => {
    const { push, refused } = pushIngest({ maxSeries: 3 });
    const r = push('a,s=1 v=1\nb,s=1 v=1\nc,s=1 v=1\nd,s=1 v=1\na,s=1 v=2\n');
    expect(r.accepted).toBe(4);
    expect(r.rejected).toEqual([{ line: 4, reason: 'kpid already has 3 pushed series in all (ingest.max_series)', limit: 'ingest.max_series' }]);
    expect(refused).toEqual({ max_series: 1 });
  });

  it('junk series expire after an idle hour (fake clock) and let legitimate series in; series still pushed stay', () => {
    const { clock, push, ingestor } = pushIngest({ maxSeriesPerMeasurement: 10_000 });
    const junk = Array.from({ length: 10_000 }, (_, i) => `kpi,kpi=junk,scope=s${i} value=1`).join('\n');
    expect(push(junk).accepted).toBe(10_000);
    const legit = 'kpi,kpi=network_coverage,scope=north value=0.99';
    expect(push(legit).rejected[0]?.limit).toBe('ingest.max_series_per_measurement');

    clock.advance(30 * 60_000);
    expect(push('kpi,kpi=junk,scope=s1 value=1').accepted).toBe(1); // one junk series stays alive
    expect(push(legit).accepted).toBe(0);
    clock.advance(31 * 60_000); // 61 min after the junk, 31 after s1's refresh
    const r = push(legit);
    expect(r.rejected).toEqual([]);
    expect(r.accepted).toBe(1);
    expect(ingestor.tracked.series).toBe(2);
  });
});

describe('ingest memory: what a request leaves behind', () => {
  it('a series first pushed in a request does not keep that request body alive (30 bodies of 1.7 MB, one new series each)', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { ingestor, push } = pushIngest();
    // Long lines of one series already known, so each body is large and brings one new series.
    const filler = `kpi,kpi=filler,pad=${'x'.repeat(200)} value=1 ${NOW}\n`.repeat(8_000);
    push(filler);
    const body = (r: number) => `kpi,kpi=new_${r},scope=cell-${r}-${'y'.repeat(20)} value=1 ${NOW}\n${filler}`;
    gc();
    const before = process.memoryUsage().heapUsed;
    let accepted = 0;
    // Each body is built, pushed and dropped in turn: only what kpid keeps of it can hold it.
    for (let r = 0; r < 30; r++) accepted += push(body(r)).accepted;
    gc();
    expect(accepted).toBe(30 * 8_001);
    expect(ingestor.tracked.series).toBe(31);
    // Kept: 31 series of under 1 KB each. Pinned bodies would be 30 × 1.7 MB.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(10 * 1024 * 1024);
  });
});

describe('ingest time window', () => {
  it.each([
    ['1e300 ms', '1e300'.replace('e300', '0'.repeat(300)), /is more than 10m in the future \(ingest\.max_future\)/],
    ['a negative stamp', '-5', /timestamp 1969-12-31T23:59:59\.995Z is more than 7d in the past \(ingest\.max_age\)/],
    ['8 days ago', String(NOW - 8 * 24 * HOUR), /is more than 7d in the past \(ingest\.max_age\)/],
    ['11 minutes ahead', String(NOW + 11 * 60_000), /is more than 10m in the future/],
  ])('a line stamped %s is refused on its own with the reason', (_name, stamp, reason) => {
    const { push, refused } = pushIngest();
    const r = push(`kpi,kpi=a value=1 ${stamp}\nkpi,kpi=a value=2 ${NOW - HOUR}\n`);
    expect(r.accepted).toBe(1);
    expect(r.rejected).toEqual([{ line: 1, reason: expect.stringMatching(reason) }]);
    expect(refused).toEqual({ time_window: 1 });
  });

  it('stamps inside the window (6 days ago, 9 minutes ahead) are accepted, in JSON too', () => {
    const { ingestor } = pushIngest();
    const r = ingestor.parse(JSON.stringify([
      { measurement: 'kpi', tags: { kpi: 'a' }, fields: { value: 1 }, time: NOW - 6 * 24 * HOUR },
      { measurement: 'kpi', tags: { kpi: 'a' }, fields: { value: 1 }, time: NOW + 9 * 60_000 },
      { measurement: 'kpi', tags: { kpi: 'a' }, fields: { value: 1 }, time: -1e300 },
    ]), 'application/json', null);
    expect(r.accepted).toBe(2);
    expect(r.rejected).toEqual([{ index: 2, reason: expect.stringMatching(/-1e\+300 ms is more than 7d in the past/) }]);
  });
});
