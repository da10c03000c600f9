import { describe, expect, it } from 'vitest';
import { activeEntries } from './engine.js';
import { entriesOf } from './series-alert.js';
import { arrows, EngineDriver, MIN, rulesFrom, T0 } from './testing.js';

// A warning and a critical rule on one window: one feed, two entries.
const rtt = rulesFrom(`
- alert: RttWarning
  select: { measurement: probe }
  value: { field: rtt_seconds, agg: last }
  when: "> 50ms"
  for: 2m
- alert: RttCritical
  select: { measurement: probe }
  value: { field: rtt_seconds, agg: last }
  when: "> 100ms"
`);

const probe = (d: EngineDriver, minute: number, rttMs: number | undefined) =>
  arrows(d.feed(T0 + minute * MIN, 'probe', { target: 'r1' }, rttMs === undefined ? {} : { rtt_seconds: rttMs / 1000 }));
const seriesOf = (d: EngineDriver) => [...d.state.series.values()][0]!;
const read = (d: EngineDriver) => entriesOf(seriesOf(d)).map((e) => [e.rule.name, e.state, e.value, e.lastSeen]);

describe('an entry is numbers until it alerts', () => {
  it('a series whose rules never fire keeps no entry object, and its entries read as before', () => {
    const d = new EngineDriver(rtt);
    expect(probe(d, 0, 20)).toEqual([]);
    expect(probe(d, 1, 30)).toEqual([]);
    expect(seriesOf(d).alerts).toBeUndefined();
    expect(read(d)).toEqual([
      ['RttWarning', 'inactive', 0.03, T0 + MIN],
      ['RttCritical', 'inactive', 0.03, T0 + MIN],
    ]);
  });

  it('the entry whose value fires is kept, the same object from pending to firing to resolved; its sibling stays numbers', () => {
    const d = new EngineDriver(rtt);
    probe(d, 0, 20);
    expect(probe(d, 1, 60)).toEqual(['RttWarning:inactive->pending']);
    const [pending] = activeEntries(d.state);
    expect(seriesOf(d).alerts).toEqual([pending, undefined]);
    expect(probe(d, 3, 70)).toEqual(['RttWarning:pending->firing']);
    expect(activeEntries(d.state)[0]).toBe(pending);
    expect(d.state.firing.get('RttWarning')?.has(pending!)).toBe(true);
    expect(probe(d, 4, 20)).toEqual(['RttWarning:firing->resolved']);
    expect(entriesOf(seriesOf(d))[0]).toBe(pending);
    expect(read(d)).toEqual([
      ['RttWarning', 'resolved', 0.02, T0 + 4 * MIN],
      ['RttCritical', 'inactive', 0.02, T0 + 4 * MIN],
    ]);
  });

  it('a ratio over no traffic gives an entry without an object no value, and marks it seen', () => {
    const d = new EngineDriver(rulesFrom(`
    - alert: CallDropRateHigh
      select: { measurement: voice }
      value: { agg: ratio, numerator: calls_dropped, denominator: call_attempts, samples: 1 }
      when: "> 1%"
    `));
    const voice = (minute: number, attempts: number, dropped: number) =>
      arrows(d.feed(T0 + minute * MIN, 'voice', { target: 'msc1' }, { call_attempts: attempts, calls_dropped: dropped }));
    expect(voice(0, 1000, 1)).toEqual([]);
    expect(read(d)).toEqual([['CallDropRateHigh', 'inactive', 0.001, T0]]);
    expect(voice(1, 0, 0)).toEqual([]);
    expect(seriesOf(d).alerts).toBeUndefined();
    expect(read(d)).toEqual([['CallDropRateHigh', 'inactive', NaN, T0 + MIN]]);
  });
});
