import { describe, expect, it } from 'vitest';
import { evaluate, createEngineState } from './engine.js';
import { forgetSilentSeries } from './silent-series.js';
import { EngineDriver, MIN, rulesFrom, T0 } from './testing.js';

const SEC = 1_000;

/** The value of `rule` on the only series the driver has seen. */
const valueOf = (d: EngineDriver, rule: string) =>
  [...d.state.series.values()][0]!.feeds.flatMap((f) => f.entries).find((e) => e.rule.name === rule)!.value;

describe('windows hold whatever their time span holds, however fast the samples come', () => {
  it('a 5-minute ratio and max, polled every minute and then every second (300 values, in a ring first sized for 16), give exactly the figures of the last 5 minutes', () => {
    const d = new EngineDriver(rulesFrom(`
    - alert: Errors
      select: { measurement: interface }
      value: { agg: ratio, numerator: in_errors, denominator: in_packets, over: 5m }
      when: "> 0.9"
    - alert: Busiest
      select: { measurement: interface }
      value: { field: in_utilization, agg: max, over: 5m }
      when: "> 2"
    `));
    const sent: { t: number; errors: number; packets: number; util: number }[] = [];
    // 20 polls a minute apart go round the first ring (5 values kept, so its oldest is mid-ring), then a burst every second.
    const times = [...Array.from({ length: 20 }, (_, i) => T0 + i * MIN), ...Array.from({ length: 600 }, (_, i) => T0 + 20 * MIN + i * SEC)];
    for (const [i, t] of times.entries()) {
      const s = { t, errors: i % 7, packets: 10 + (i % 13), util: ((i * 37) % 101) / 100 };
      sent.push(s);
      d.feed(t, 'interface', { target: 'r1', interface: 'xe-0/0/1' }, { in_errors: s.errors, in_packets: s.packets, in_utilization: s.util });
      const inWindow = sent.filter((x) => x.t > t - 5 * MIN);
      const sum = (f: (x: (typeof sent)[number]) => number) => inWindow.reduce((a, x) => a + f(x), 0);
      expect(valueOf(d, 'Errors'), `ratio at sample ${i}`).toBeCloseTo(sum((x) => x.errors) / sum((x) => x.packets), 12);
      expect(valueOf(d, 'Busiest'), `max at sample ${i}`).toBe(Math.max(...inWindow.map((x) => x.util)));
    }
  });
});

describe('the rules watching one series keep their own alert times', () => {
  it('a warning pending since the first busy poll and a critical pending since the third fire each 5 minutes after their own start', () => {
    const d = new EngineDriver(rulesFrom(`
    - alert: Busy
      select: { measurement: interface }
      value: { field: in_utilization }
      when: "> 0.8"
      for: 5m
    - alert: Saturated
      select: { measurement: interface }
      value: { field: in_utilization }
      when: "> 0.9"
      for: 5m
    `));
    for (let i = 0; i <= 8; i++) d.feed(T0 + i * MIN, 'interface', { target: 'r1', interface: 'xe-0/0/1' }, { in_utilization: i < 2 ? 0.85 : 0.95 });
    const fired = d.transitions.filter((t) => t.to === 'firing').map((t) => `${t.rule} active ${(t.activeAt - T0) / MIN} fired ${(t.at - T0) / MIN}`);
    expect(fired).toEqual(['Busy active 0 fired 5', 'Saturated active 2 fired 7']);
  });
});

describe('a series forgotten and then seen again starts afresh', () => {
  it('a device down for two polls, silent past its lifetime, then back down once: its 3-poll window is not full, so nothing fires', () => {
    const state = createEngineState(rulesFrom(`
    - alert: DeviceUnreachable
      select: { measurement: target }
      value: { field: up, agg: max, samples: 3 }
      when: "= 0"
    `));
    const poll = (t: number, up: number) => evaluate(state, [{ measurement: 'target', tags: { target: 'r1' }, fields: { up }, time: t }], t, 90 * SEC).transitions;
    expect(poll(T0, 0)).toEqual([]);
    expect(poll(T0 + 30 * SEC, 0)).toEqual([]);
    expect(forgetSilentSeries(state, T0 + 30 * MIN)).toEqual([]);
    expect(state.series.size).toBe(0);
    // Had the old window come back with the key, this third 0 would fill it and fire.
    expect(poll(T0 + 31 * MIN, 0)).toEqual([]);
    const [entry] = [...state.series.values()][0]!.feeds[0]!.entries;
    expect([entry!.state, entry!.value, entry!.activeAt, entry!.deadline]).toEqual(['inactive', NaN, NaN, Infinity]);
    expect(poll(T0 + 31 * MIN + 30 * SEC, 0)).toEqual([]);
    expect(poll(T0 + 32 * MIN, 0).map((t) => `${t.from}->${t.to}`)).toEqual(['inactive->firing']);
  });
});
