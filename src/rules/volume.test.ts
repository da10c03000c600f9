import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { FakeClock } from '../core/clock.js';
import { KpiCatalogue } from '../core/kpi-catalogue.js';
import { SqliteStateStore } from '../alerts/state/sqlite-state-store.js';
import { RecordingNotifier, wireRuntime } from '../alerts/testing.js';
import { defineKpiMetrics } from '../metrics/kpi-metrics.js';
import { kpis } from '../config/sections/kpis.js';
import { activeEntries } from './engine.js';
import { arrows, EngineDriver, MIN, rulesFrom, T0 } from './testing.js';

/** Issue 19 §1: a ratio is a ratio of sums over a window, and needs a least volume to mean anything. */
const discards = `
- alert: InterfaceInDiscardsWarning
  kpi: interface_errors
  level: warning
  select: { measurement: interface }
  value: { agg: ratio, numerator: in_discards, denominator: in_packets }
`;
const port = { target: 'access-1', interface: 'ge-0/0/7' };
const feedPort = (d: EngineDriver, sec: number, packets: number, dropped: number) =>
  d.feed(T0 + sec * 1000, 'interface', port, { in_packets: packets, in_discards: dropped });
const entry = (d: EngineDriver) => [...d.state.series.values()][0]!.feeds[0]!.entries[0]!;

describe('the least volume of a ratio KPI', () => {
  it('the catalogue states one for every ratio of counts, over a window', () => {
    const c = new KpiCatalogue();
    expect(c.get('interface_errors')!.minVolume).toEqual({ count: 1000, of: 'packets', window: 5 * MIN });
    expect(c.get('call_drop_rate')!.minVolume).toEqual({ count: 100, of: 'call attempts', window: 15 * MIN });
    expect(c.get('call_answer_rate')!.minVolume).toEqual({ count: 100, of: 'call attempts', window: 15 * MIN });
    expect(c.get('packet_loss')!.minVolume).toEqual({ count: 100, of: 'echoes sent', window: 5 * MIN });
    expect(c.get('latency')!.minVolume).toBeUndefined();
  });

  // (polls at 30 s: packets, discards) → value after the last poll; NaN is "not enough traffic".
  const cases: [string, [number, number][], number][] = [
    ['one frame dropped on an idle port is no value, not 100 %', [[1, 1]], NaN],
    ['999 packets in 5 minutes is still not enough', [[500, 100], [499, 100]], NaN],
    ['1,000 packets is enough: the sums are divided', [[500, 1], [500, 2]], 3 / 1000],
    ['sums, not the average of per-poll ratios', [[1900, 0], [100, 100]], 100 / 2000],
    ['polls older than the 5-minute window no longer count', [[5000, 50], ...Array<[number, number]>(10).fill([10, 0])], NaN],
  ];
  for (const [name, polls, expected] of cases) {
    it(name, () => {
      const d = new EngineDriver(rulesFrom(discards));
      polls.forEach(([p, x], i) => feedPort(d, i * 30, p, x));
      if (Number.isNaN(expected)) expect(entry(d).value).toBeNaN();
      else expect(entry(d).value).toBeCloseTo(expected, 12);
    });
  }

  it('not enough traffic changes no state: no alert from an idle port, and a firing one keeps firing', () => {
    const d = new EngineDriver(rulesFrom(discards));
    for (let s = 0; s < 3600; s += 30) feedPort(d, s, s % 300 === 0 ? 1 : 0, s % 300 === 0 ? 1 : 0);
    expect(d.transitions).toEqual([]);
    const busy = new EngineDriver(rulesFrom(discards));
    expect(arrows(feedPort(busy, 0, 2000, 100))).toEqual(['InterfaceInDiscardsWarning:inactive->firing']);
    // Traffic stops: after 5 minutes the window holds 10 idle polls, no value, and the alert stays as it was.
    for (let s = 30; s <= 600; s += 30) expect(feedPort(busy, s, 0, 0)).toEqual([]);
    expect(entry(busy).value).toBeNaN();
    expect(activeEntries(busy.state).map((e) => e.state)).toEqual(['firing']);
  });

  it('kpis: in config moves the least volume and the window', () => {
    const moved = rulesFrom(discards, { interface_errors: { min_volume: 10, window: 30_000 } })[0]!;
    expect(moved).toMatchObject({ minVolume: 10, overMs: 30_000 });
    const d = new EngineDriver([moved]);
    feedPort(d, 0, 5, 5);
    expect(entry(d).value).toBeNaN();
    feedPort(d, 30, 10, 1);
    expect(entry(d).value).toBeCloseTo(0.1, 12); // the first poll left the 30 s window
    expect(rulesFrom(discards)[0]).toMatchObject({ minVolume: 1000, overMs: 5 * MIN });
  });

  it('a rule may set its own least volume; min_volume means nothing outside ratio, nor for a KPI that is not a ratio', () => {
    expect(rulesFrom(discards.replace('denominator: in_packets }', 'denominator: in_packets, min_volume: 50 }'))[0]!.minVolume).toBe(50);
    expect(() => rulesFrom(`
    - alert: Rtt
      select: { measurement: probe }
      value: { field: rtt_seconds, min_volume: 5 }
      when: "> 1"
    `)).toThrow(/min_volume is the least denominator of a ratio/);
    const bad = kpis.safeParse({ latency: { min_volume: 10 } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.message).toMatch(/"latency" is not a ratio of counts; min_volume and window apply to .*interface_errors/);
    expect(kpis.safeParse({ packet_loss: { min_volume: 50, window: '10m' } }).data).toEqual({ packet_loss: { min_volume: 50, window: 600_000 } });
  });

  it('kpid_kpi_value has no series for a window with too little traffic', async () => {
    const registry = new Registry();
    const metrics = defineKpiMetrics(registry);
    const clock = new FakeClock(T0);
    const wired = wireRuntime(rulesFrom(discards), {
      clock, store: new SqliteStateStore(':memory:'), notifier: new RecordingNotifier(), metrics, isPlanned: () => false,
    });
    const { runtime } = wired;
    await wired.start();
    const poll = (packets: number, dropped: number) => {
      wired.rules.write([{ measurement: 'interface', tags: port, fields: { in_packets: packets, in_discards: dropped }, time: clock.now() }]);
      clock.advance(30_000);
    };
    poll(4000, 2);
    await runtime.flush();
    expect(await registry.metrics()).toContain('kpid_kpi_value{kpi="interface_errors",scope="access-1/ge-0/0/7"} 0.0005');
    for (let i = 0; i < 11; i++) poll(0, i === 5 ? 1 : 0);
    await runtime.flush();
    const text = await registry.metrics();
    expect(text).not.toContain('kpid_kpi_value{kpi="interface_errors"');
    expect(text).not.toContain('kpid_kpi_compliant{kpi="interface_errors"');
    await wired.stop();
  });
});
