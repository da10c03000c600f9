import { describe, expect, it } from 'vitest';
import { shiftTimes } from './clock-step.js';
import type { SeriesFeeds } from './engine-state.js';
import { createEngineState, evaluate } from './engine.js';
import { forgetSilentSeries } from './silent-series.js';
import { EngineDriver, MIN, rulesFrom, T0 } from './testing.js';

// The windows of one series that span the same time share one ring: one time column, a column per field (ring.ts).
const SEC = 1_000;
const TAGS = { target: 'r1', interface: 'xe-0/0/1' };
const RULES = rulesFrom(`
- alert: Errors
  select: { measurement: interface }
  value: { agg: ratio, numerator: in_errors, denominator: in_packets, over: 5m }
  when: "> 0.9"
- alert: Discards
  select: { measurement: interface, fields: { monitored: "= 1" } }
  value: { agg: ratio, numerator: in_discards, denominator: in_packets, over: 5m }
  when: "> 0.9"
- alert: Busiest
  select: { measurement: interface }
  value: { field: in_utilization, agg: max, over: 5m }
  when: "> 2"
- alert: Busy
  select: { measurement: interface }
  value: { field: in_utilization, agg: avg, over: 1m }
  when: "> 2"
`);

type Sent = { t: number; fields: Record<string, number> };

/** Each rule's figure computed from scratch over the samples its window took: those of the last span before its newest. */
const expected: Record<string, (took: Sent[]) => number> = {
  Errors: (took) => ratio(took, 5 * MIN, 'in_errors', 'in_packets'),
  Discards: (took) => ratio(took, 5 * MIN, 'in_discards', 'in_packets'),
  Busiest: (took) => Math.max(...inSpan(took, 5 * MIN).map((s) => s.fields.in_utilization!)),
  Busy: (took) => inSpan(took, MIN).reduce((a, s) => a + s.fields.in_utilization!, 0) / inSpan(took, MIN).length,
};
const takes: Record<string, (s: Sent) => boolean> = {
  Errors: (s) => s.fields.in_errors !== undefined,
  Discards: (s) => s.fields.in_discards !== undefined && s.fields.monitored === 1,
  Busiest: () => true,
  Busy: () => true,
};

function inSpan(took: Sent[], span: number): Sent[] {
  const newest = took[took.length - 1]!.t;
  return took.filter((s) => s.t > newest - span);
}
function ratio(took: Sent[], span: number, num: string, den: string): number {
  const w = inSpan(took, span);
  return w.reduce((a, s) => a + s.fields[num]!, 0) / w.reduce((a, s) => a + s.fields[den]!, 0);
}

const only = (d: EngineDriver): SeriesFeeds => [...d.state.series.values()][0]!;
const valueOf = (series: SeriesFeeds, rule: string) => series.feeds.flatMap((f) => f.entries).find((e) => e.rule.name === rule)!.value;

/** Feeds `sent` and checks every rule's figure against `expected` after each sample. */
function check(d: EngineDriver, sent: Sent[]): void {
  const seen: Sent[] = [];
  for (const [i, s] of sent.entries()) {
    seen.push(s);
    d.feed(s.t, 'interface', TAGS, s.fields);
    for (const rule of Object.keys(expected)) {
      const took = seen.filter(takes[rule]!);
      if (!took.length) continue;
      expect(valueOf(only(d), rule), `${rule} at sample ${i}`).toBeCloseTo(expected[rule]!(took), 12);
    }
  }
}

const fields = (i: number): Record<string, number> =>
  ({ in_errors: i % 7, in_discards: i % 5, in_packets: 10 + (i % 13), in_utilization: ((i * 37) % 101) / 100, monitored: 1 });

describe('the windows of one span share a ring', () => {
  it('the three 5-minute windows share one ring of five columns (time, in_errors, in_packets, in_discards, in_utilization); the 1-minute one has its own', () => {
    const d = new EngineDriver(RULES);
    d.feed(T0, 'interface', TAGS, fields(0));
    const rings = only(d).rings.map((r) => `${r.overMs / MIN}m: ${r.windows.length} windows, ${r.columns} columns`);
    expect(rings).toEqual(['5m: 3 windows, 5 columns', '1m: 1 windows, 2 columns']);
  });

  it('polled every minute round the first ring (16 slots), then every second (it grows while its oldest is mid-ring): every figure is that of its own last span', () => {
    const times = [...Array.from({ length: 20 }, (_, i) => T0 + i * MIN), ...Array.from({ length: 400 }, (_, i) => T0 + 20 * MIN + i * SEC)];
    check(new EngineDriver(RULES), times.map((t, i) => ({ t, fields: fields(i) })));
  });

  it('a sample one window does not take (its field missing, its field filter failing) moves that window onto a ring of its own with the samples it had; each figure stays that of its own samples', () => {
    const d = new EngineDriver(RULES);
    const sent: Sent[] = Array.from({ length: 60 }, (_, i) => {
      const f = fields(i);
      if (i % 9 === 4) delete f.in_errors;
      if (i >= 30 && i % 4 === 0) f.monitored = 0;
      return { t: T0 + i * 20 * SEC, fields: f };
    });
    check(d, sent);
    expect(only(d).rings.map((r) => r.windows.length)).toEqual([1, 1, 1, 1]);
  });
});

describe('a wall clock step moves the times of a shared ring once', () => {
  it('after a step back of 1 h, the 5-minute windows let go of the samples of more than 5 real minutes ago, as without the step', () => {
    const polls = Array.from({ length: 15 }, (_, i) => ({ real: T0 + i * MIN, fields: fields(i) }));
    const figures = (step: number) => {
      const state = createEngineState(RULES);
      return polls.map(({ real, fields: f }, i) => {
        // The step happens before poll 8: from then on the wall clock reads `step` off.
        if (i === 8) shiftTimes(state, step);
        const t = i >= 8 ? real + step : real;
        evaluate(state, [{ measurement: 'interface', tags: TAGS, fields: f, time: t }], t);
        const series = [...state.series.values()][0]!;
        return ['Errors', 'Discards', 'Busiest'].map((r) => valueOf(series, r));
      });
    };
    expect(figures(-60 * MIN)).toEqual(figures(0));
    expect(figures(2 * 60 * MIN)).toEqual(figures(0));
  });
});

describe('a silent series with a shared ring', () => {
  it('is kept while its newest sample is within the span, then forgotten; seen again, its windows start empty', () => {
    const state = createEngineState(RULES);
    const poll = (t: number, i: number) => evaluate(state, [{ measurement: 'interface', tags: TAGS, fields: fields(i), time: t }], t, MIN);
    for (let i = 0; i <= 4; i++) poll(T0 + i * MIN, i);
    forgetSilentSeries(state, T0 + 9 * MIN - 1);
    expect(state.series.size).toBe(1);
    forgetSilentSeries(state, T0 + 9 * MIN);
    expect(state.series.size).toBe(0);
    poll(T0 + 10 * MIN, 5);
    const series = [...state.series.values()][0]!;
    expect(valueOf(series, 'Errors')).toBe(5 / 15);
    expect(series.rings.map((r) => r.count)).toEqual([1, 1]);
  });
});
