import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import { RuleRunner } from './rule-runner.js';
import { rulesFrom, T0 } from './testing.js';

/** Two levels of one KPI per port, one per-target reading of another, one network-wide: what kpid_kpi_value shows. */
const rules = rulesFrom(`
- alert: PortUtilisationWarning
  kpi: bandwidth_utilisation
  level: warning
  select: { measurement: interface }
  value: { field: in_utilization }
- alert: PortUtilisationCritical
  kpi: bandwidth_utilisation
  level: critical
  select: { measurement: interface }
  value: { field: in_utilization }
- alert: TargetLatency
  kpi: latency
  level: warning
  scope: [target]
  select: { measurement: interface }
  value: { field: out_utilization }
- alert: NetworkJitter
  kpi: jitter
  level: warning
  scope: []
  select: { measurement: interface }
  value: { field: out_utilization }
`);

describe('the KPI readings of the rules (kpid_kpi_value)', () => {
  it('one reading per KPI and scope, the scope being the values of the rule\'s scope tags, or "all"; the same at every scrape', () => {
    const clock = new FakeClock(T0);
    const runner = new RuleRunner({ clock, rules, onTransitions: () => {} });
    runner.write([
      { measurement: 'interface', tags: { target: 'sw-1', interface: 'ge-0/0/1' }, fields: { in_utilization: 0.5, out_utilization: 0.02 }, time: T0 },
      { measurement: 'interface', tags: { target: 'sw-1', interface: 'ge-0/0/2' }, fields: { in_utilization: 0.25, out_utilization: 0.03 }, time: T0 },
    ]);
    const expected = [
      { kpi: 'bandwidth_utilisation', scope: 'sw-1/ge-0/0/1', value: 0.5 },
      { kpi: 'latency', scope: 'sw-1', value: 0.02 },
      { kpi: 'jitter', scope: 'all', value: 0.02 },
      { kpi: 'bandwidth_utilisation', scope: 'sw-1/ge-0/0/2', value: 0.25 },
    ];
    expect(read(runner)).toEqual(expected);
    expect(read(runner)).toEqual(expected);
  });

  it('a port that leaves takes its readings with it, and gets them back when it returns', () => {
    const clock = new FakeClock(T0);
    const runner = new RuleRunner({ clock, rules, onTransitions: () => {} });
    const port = (name: string, utilisation: number) =>
      ({ measurement: 'interface', tags: { target: 'sw-1', interface: name }, fields: { in_utilization: utilisation, out_utilization: 0.01 }, time: clock.now() });
    const utilisation = () => read(runner).filter((r) => r.kpi === 'bandwidth_utilisation').map((r) => [r.scope, r.value]);
    runner.write(Array.from({ length: 10 }, (_, i) => port(`ge-0/0/${i}`, i / 10)));
    expect(utilisation()).toHaveLength(10);
    runner.forget((tags) => tags.interface !== 'ge-0/0/3');
    expect(utilisation()).toEqual([['sw-1/ge-0/0/3', 0.3]]);
    runner.write([port('ge-0/0/7', 0.75), port('ge-0/0/3', 0.35)]);
    expect(utilisation()).toEqual([['sw-1/ge-0/0/3', 0.35], ['sw-1/ge-0/0/7', 0.75]]);
    expect(utilisation()).toEqual([['sw-1/ge-0/0/3', 0.35], ['sw-1/ge-0/0/7', 0.75]]);
  });
});

/** The readings the runner hands over, in order. */
function read(runner: RuleRunner) {
  const got: { kpi: string; scope: string; value: number }[] = [];
  runner.readings((kpi, scope, value) => got.push({ kpi, scope, value }));
  return got;
}
