import { describe, expect, it } from 'vitest';
import type { AlertTransition } from '../core/alert.js';
import { FakeClock } from '../core/clock.js';
import type { Sample } from '../core/sample.js';
import { RuleRunner } from './rule-runner.js';
import { MIN, rulesFrom, T0 } from './testing.js';

const SEC = 1_000;
/** A target polled every 30 s: its series live 3 polls. */
const POLLED = 90 * SEC;
const HOUR = 60 * MIN;

const rules = rulesFrom(`
- alert: LinkBusy
  select: { measurement: interface }
  value: { field: in_utilization }
  when: "> 0.9"
  severity: warning
- alert: LinkSilent
  select: { measurement: interface, tags: { interface: watched } }
  value: { field: in_utilization }
  when: "> 0.9"
  no_data: 5m
  severity: critical
- alert: CoverageLow
  select: { measurement: kpi, tags: { kpi: network_coverage } }
  value: { field: value }
  when: "< 0.99"
  severity: warning
- alert: DropsPiling
  select: { measurement: voice }
  value: { field: calls_dropped, agg: sum, over: 10m }
  when: "> 2"
  severity: warning
`);

function runner(restoredLifetime?: number) {
  const clock = new FakeClock(T0);
  const seen: AlertTransition[] = [];
  const r = new RuleRunner({ clock, rules, onTransitions: (ts) => seen.push(...ts), ...(restoredLifetime ? { restoredLifetime } : {}) });
  r.start();
  const iface = (name: string, utilization: number): Sample =>
    ({ measurement: 'interface', tags: { target: 'edge-1', interface: name }, fields: { in_utilization: utilization }, time: clock.now() });
  const said = () => seen.map((t) => `${t.rule} ${t.labels.interface ?? t.labels.scope ?? ''} ${t.from}->${t.to} (${t.reason})`.replace('  ', ' '));
  return { clock, r, seen, said, iface };
}

describe('a series silent for its lifetime is forgotten, and its alert ends as its rule\'s no_data says', () => {
  it('an interface that leaves the table: its firing alert (rule without no_data) resolves with no data once its lifetime has passed, and the engine forgets it', () => {
    const { clock, r, said, iface } = runner();
    r.write([iface('Gi0/1', 0.95), iface('Gi0/2', 0.2)], POLLED);
    expect(said()).toEqual(['LinkBusy Gi0/1 inactive->firing (threshold)']);
    // Gi0/1 leaves the ifTable; Gi0/2 keeps being polled every 30 s.
    for (let poll = 1; poll <= 4; poll++) {
      clock.advance(30 * SEC);
      r.write([iface('Gi0/2', 0.2)], POLLED);
    }
    expect(said()).toEqual(['LinkBusy Gi0/1 inactive->firing (threshold)', 'LinkBusy Gi0/1 firing->resolved (no_data)']);
    expect(r.seriesCount).toBe(1);
  });

  it('a series that keeps coming, each sample just inside its lifetime, is never forgotten', () => {
    const { clock, r, seen, iface } = runner();
    r.write([iface('Gi0/1', 0.95)], POLLED);
    for (let i = 0; i < 50; i++) {
      clock.advance(POLLED - 1);
      r.write([iface('Gi0/1', 0.95)], POLLED);
    }
    expect(seen).toHaveLength(1);
    expect(r.seriesCount).toBe(1);
  });

  it('the boundary: a sweep 1 ms before the lifetime ends keeps the series, the next one forgets it', () => {
    const { clock, r, iface } = runner();
    r.write([iface('Gi0/1', 0.2)], POLLED);
    // Sweeps run every 30 s from here; the last sample comes 1 ms later.
    clock.advance(1);
    r.write([iface('Gi0/1', 0.2)], POLLED);
    clock.advance(POLLED - 1);
    expect(r.seriesCount).toBe(1);
    clock.advance(POLLED / 3);
    expect(r.seriesCount).toBe(0);
  });

  it('a rule with no_data keeps the series: its silence alert fires, stays firing past the lifetime, and resolves when data returns', () => {
    const { clock, r, said, iface } = runner();
    r.write([iface('watched', 0.2)], POLLED);
    clock.advance(5 * MIN);
    expect(said()).toEqual(['LinkSilent watched inactive->firing (no_data)']);
    clock.advance(2 * HOUR);
    expect(r.seriesCount).toBe(1);
    r.write([iface('watched', 0.2)], POLLED);
    expect(said()).toEqual(['LinkSilent watched inactive->firing (no_data)', 'LinkSilent watched firing->resolved (no_data)']);
  });

  it('pushed series whose tags keep changing do not accumulate: an hour after each was last pushed it is gone', () => {
    const { clock, r, said } = runner();
    // One push a minute for three hours, each with a new scope: 180 series ever, at most ~80 kept.
    let most = 0;
    for (let m = 0; m < 180; m++) {
      r.write([{ measurement: 'kpi', tags: { kpi: 'network_coverage', scope: `cell-${m}` }, fields: { value: 0.95 }, time: clock.now() }], HOUR);
      most = Math.max(most, r.seriesCount);
      clock.advance(MIN);
    }
    expect(most).toBeLessThanOrEqual(61 + 20);
    clock.advance(2 * HOUR);
    expect(r.seriesCount).toBe(0);
    // Each low coverage fired, and each resolved when its series was forgotten.
    expect(said().filter((s) => s.endsWith('firing->resolved (no_data)'))).toHaveLength(180);
  });

  it('a series lives at least as long as its rule\'s window: reports a few minutes apart still add up over 10 minutes', () => {
    const { clock, r, said } = runner();
    const report = (): Sample => ({ measurement: 'voice', tags: { target: 'msc-1' }, fields: { calls_dropped: 1 }, time: clock.now() });
    for (let i = 0; i < 3; i++) {
      r.write([report()], POLLED);
      clock.advance(4 * MIN);
    }
    expect(said()).toEqual(['DropsPiling inactive->firing (threshold)']);
  });

  it('an alert put back at a start whose series never reports again resolves after the restored lifetime', () => {
    const { clock, r, said } = runner(HOUR);
    r.restore({
      fingerprint: 'f', rule: 'LinkBusy', series: 'interface,interface=Gi0/9,target=edge-1', state: 'firing', severity: 'warning',
      labels: {}, annotations: {}, activeAt: T0 - HOUR, crossedAt: T0 - HOUR,
    });
    clock.advance(HOUR - MIN);
    expect(said()).toEqual([]);
    clock.advance(30 * MIN);
    expect(said()).toEqual(['LinkBusy Gi0/9 firing->resolved (no_data)']);
    expect(r.seriesCount).toBe(0);
  });
});
