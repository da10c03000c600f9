import { describe, expect, it } from 'vitest';
import { EngineDriver, rulesFrom, T0 } from './testing.js';

// A series reads each field of a sample once and checks each distinct field filter once (read-plan.ts).
const RULES = rulesFrom(`
- alert: InUp
  select: { measurement: interface, fields: { monitored: "= 1" } }
  value: { field: in_utilization }
  when: "> 2"
- alert: OutUp
  select: { measurement: interface, fields: { monitored: "= 1" } }
  value: { field: out_utilization }
  when: "> 2"
- alert: InUnmonitored
  select: { measurement: interface, fields: { monitored: "= 0" } }
  value: { field: in_utilization, agg: max, over: 5m }
  when: "> 2"
- alert: Errors
  select: { measurement: interface, fields: { monitored: "= 1", admin_up: "= 1" } }
  value: { agg: ratio, numerator: in_errors, denominator: in_packets, samples: 1 }
  when: "> 2"
`);

const values = (d: EngineDriver): Record<string, number> =>
  Object.fromEntries([...d.state.series.values()][0]!.feeds.flatMap((f) => f.entries).map((e) => [e.rule.name, e.value]));

describe('what a series reads of each sample', () => {
  it('reads every field once and checks every distinct filter once: two filters on one field with different values stay two', () => {
    const d = new EngineDriver(RULES);
    d.feed(T0, 'interface', { target: 'r1', interface: 'ge-0' }, { monitored: 1, admin_up: 1, in_utilization: 0.5, out_utilization: 0.25, in_errors: 1, in_packets: 4 });
    const plan = [...d.state.series.values()][0]!.plan;
    expect(plan.fields).toEqual(['in_utilization', 'monitored', 'out_utilization', 'in_errors', 'in_packets', 'admin_up']);
    expect(plan.checks.map((c) => c.text)).toEqual(['= 1', '= 0', '= 1']);
    expect(values(d)).toEqual({ InUp: 0.5, OutUp: 0.25, InUnmonitored: NaN, Errors: 0.25 });
  });

  it('a window takes a sample only when every filter of its own passes and its fields are there', () => {
    const d = new EngineDriver(RULES);
    d.feed(T0, 'interface', { target: 'r1', interface: 'ge-0' }, { monitored: 0, admin_up: 1, in_utilization: 0.5, out_utilization: 0.25, in_packets: 4 });
    expect(values(d)).toEqual({ InUp: NaN, OutUp: NaN, InUnmonitored: 0.5, Errors: NaN });
    d.feed(T0 + 1, 'interface', { target: 'r1', interface: 'ge-0' }, { monitored: 1, admin_up: 0, in_utilization: 0.75, in_errors: 1, in_packets: 4 });
    expect(values(d)).toEqual({ InUp: 0.75, OutUp: NaN, InUnmonitored: 0.5, Errors: NaN });
    // A ratio without its denominator takes nothing, though the numerator is there.
    d.feed(T0 + 2, 'interface', { target: 'r1', interface: 'ge-0' }, { monitored: 1, admin_up: 1, in_errors: 2 });
    expect(values(d)).toEqual({ InUp: 0.75, OutUp: NaN, InUnmonitored: 0.5, Errors: NaN });
  });

  it('series selected by the same rules share one plan', () => {
    const d = new EngineDriver(RULES);
    const fields = { monitored: 1, admin_up: 1, in_utilization: 0.5 };
    d.feed(T0, 'interface', { target: 'r1', interface: 'ge-0' }, fields);
    d.feed(T0, 'interface', { target: 'r1', interface: 'ge-1' }, fields);
    const [a, b] = [...d.state.series.values()];
    expect(a!.plan).toBe(b!.plan);
    expect(d.state.plans.size).toBe(1);
  });
});
