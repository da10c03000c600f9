import { describe, expect, it } from 'vitest';
import { DAY, EngineDriver, HOUR, MIN, T0, rulesFrom, seededNoise } from './testing.js';

const CAPACITY = `
- alert: LinkFillingUp
  kpi: bandwidth_utilisation
  level: warning
  select: { measurement: interface }
  value: { field: in_utilization }
  trend: { over: 14d, horizon: 60d }
  annotations:
    summary: "{{ $labels.interface }} inbound will reach {{ $threshold | percent }} in about {{ $value | days }} at the 14-day trend (now {{ $level | percent }})"
`;

/** Utilisation rising 1 point a day from 30 % (80 % on day 50), with a daily swing of ±10 points and ±3 points of noise, polled every 5 minutes. */
function rising(t: number, noise: () => number): number {
  const days = (t - T0) / DAY;
  return 0.3 + 0.01 * days + 0.1 * Math.sin((2 * Math.PI * (t % DAY)) / DAY) + 0.03 * noise();
}

describe('time to threshold (trend:)', () => {
  it('forecasts the day a known slope crosses the threshold, within 5 %, through a daily swing and noise', () => {
    const engine = new EngineDriver(rulesFrom(CAPACITY));
    const noise = seededNoise(7);
    const forecasts: { at: number; crossing: number }[] = [];
    for (let t = T0; t < T0 + 20 * DAY; t += 5 * MIN) {
      engine.feed(t, 'interface', { target: 'r1', interface: 'xe-0/0/1' }, { in_utilization: rising(t, noise) });
      const e = [...engine.state.series.values()][0]!.feeds[0]!.entries[0]!;
      if (t % DAY === 0 && Number.isFinite(e.value)) forecasts.push({ at: (t - T0) / DAY, crossing: (t - T0) / DAY + e.value / 86_400 });
    }
    // The line crosses 80 % on day 50. No forecast before the window spans 7 days (min_span: half of over:).
    expect(forecasts[0]!.at).toBeGreaterThanOrEqual(7);
    expect(forecasts.length).toBeGreaterThan(10);
    for (const f of forecasts) expect(Math.abs(f.crossing - 50) / 50, `forecast on day ${f.at}: day ${f.crossing}`).toBeLessThan(0.05);
    const fired = engine.transitions.filter((x) => x.to === 'firing');
    expect(fired).toHaveLength(1);
    // Fires as soon as it can forecast: on day 7 the crossing is about 43 days away (41-45 is day 48-52, ± 5 %), inside the 60-day horizon.
    expect((fired[0]!.at - T0) / DAY).toBeCloseTo(7, 0);
    expect(fired[0]!.threshold).toBe(0.8);
    expect(fired[0]!.annotations.summary).toMatch(/^xe-0\/0\/1 inbound will reach 80% in about 4[1-5] days at the 14-day trend \(now 3[6-8](\.\d+)?%\)$/);
  });

  it('stays quiet on a busy but flat link, and on one falling away from the threshold', () => {
    const engine = new EngineDriver(rulesFrom(CAPACITY));
    const noise = seededNoise(11);
    for (let t = T0; t < T0 + 28 * DAY; t += 5 * MIN) {
      const daily = 0.15 * Math.sin((2 * Math.PI * (t % DAY)) / DAY);
      engine.feed(t, 'interface', { target: 'r1', interface: 'flat' }, { in_utilization: 0.6 + daily + 0.05 * noise() });
      engine.feed(t, 'interface', { target: 'r1', interface: 'falling' }, { in_utilization: 0.7 - (0.01 * (t - T0)) / DAY + daily });
    }
    expect(engine.transitions.filter((x) => x.to === 'firing')).toEqual([]);
  });

  it('an outage hour or a burst does not bend the forecast (Theil–Sen over daily means)', () => {
    const engine = new EngineDriver(rulesFrom(CAPACITY.replace('horizon: 60d', 'horizon: 30d')));
    // Flat at 50 % with a few dead hours (0 %) and bursts (99 %): a least-squares line would tilt; the median of slopes does not.
    for (let t = T0; t < T0 + 14 * DAY; t += 5 * MIN) {
      const day = Math.floor((t - T0) / DAY);
      const hour = Math.floor((t % DAY) / HOUR);
      let v = 0.5;
      if (hour === 3 && day < 4) v = 0;
      if (hour === 20 && day >= 10) v = 0.99;
      engine.feed(t, 'interface', { target: 'r1', interface: 'xe-0/0/2' }, { in_utilization: v });
    }
    expect(engine.transitions.filter((x) => x.to === 'firing')).toEqual([]);
  });

  it.each([
    ['a threshold it cannot reach from one side', 'when: "== 1"\n  trend: { over: 14d, horizon: 7d }', /a trend reaches a threshold from below/],
    ['a window of fewer than 3 buckets', 'when: "> 80%"\n  trend: { over: 2d, horizon: 7d }', /at least 3 buckets of 1d/],
    ['more than 120 buckets', 'when: "> 80%"\n  trend: { over: 14d, bucket: 1h, horizon: 7d }', /at most 120 buckets; make bucket: at least/],
    ['clear.when, which has no meaning for a forecast', 'when: "> 80%"\n  trend: { over: 14d, horizon: 7d }\n  clear: { when: "< 70%" }', /clear\.when does not apply/],
    ['both trend: and baseline:', 'when: "> 3"\n  trend: { over: 14d, horizon: 7d }\n  baseline: { weeks: 4 }', /give trend: or baseline:, not both/],
    ['a baseline with kpi:', 'kpi: bandwidth_utilisation\n  baseline: { weeks: 4 }', /a baseline rule compares robust deviations: give when:/],
    ['min_weeks above weeks', 'when: "> 3"\n  baseline: { weeks: 2, min_weeks: 3 }', /min_weeks cannot exceed weeks \(2\)/],
  ])('a rule with %s is a load error naming it', (_what, keys, message) => {
    expect(() => rulesFrom(`
- alert: Bad
  select: { measurement: interface }
  value: { field: in_utilization }
  ${keys}
`)).toThrow(message);
  });
});
