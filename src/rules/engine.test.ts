import { describe, expect, it } from 'vitest';
import { activeEntries } from './engine.js';
import { arrows, EngineDriver, MIN, rulesFrom, T0 } from './testing.js';

const latency = rulesFrom(`
- alert: LatencyHigh
  select: { measurement: probe }
  value: { field: rtt_seconds, agg: last }
  when: "> 50ms"
  for: 2m
  clear: { when: "< 40ms", for: 1m }
  severity: warning
  annotations: { summary: "{{ $labels.target }} rtt {{ $value | ms }} (limit {{ $threshold | ms }})" }
`);

type Step = [minute: number, rttMs: number | null, expected: string[]];

/** Each step: at minute m, a sample (or none, null) and the transitions seen up to and at it. */
const lifecycle: { name: string; steps: Step[] }[] = [
  {
    name: 'inactive → pending → firing after `for`, then resolved once below the clear line for clear.for',
    steps: [
      [0, 20, []],
      [1, 60, ['LatencyHigh:inactive->pending']],
      [2, 70, []],
      [3, 70, ['LatencyHigh:pending->firing']],
      [4, 30, []],
      [5, 30, ['LatencyHigh:firing->resolved']],
    ],
  },
  {
    name: 'pending → inactive when the condition stops before `for` elapses',
    steps: [
      [0, 60, ['LatencyHigh:inactive->pending']],
      [1, 20, ['LatencyHigh:pending->inactive']],
      [10, 20, []],
    ],
  },
  {
    name: 'the `for` timer fires on the clock even when no further sample arrives',
    steps: [
      [0, 60, ['LatencyHigh:inactive->pending']],
      [2.5, null, ['LatencyHigh:pending->firing']],
    ],
  },
  {
    name: 'hysteresis: a value hovering between clear (40ms) and fire (50ms) lines does not flap',
    steps: [
      [0, 60, ['LatencyHigh:inactive->pending']],
      [2, 60, ['LatencyHigh:pending->firing']],
      [3, 45, []],
      [4, 49, []],
      [5, 51, []],
      [6, 45, []],
      [7, 39, []],
      [7.5, 41, []],
      [8, 39, []],
      [9, 39, ['LatencyHigh:firing->resolved']],
    ],
  },
  {
    name: 'resolved → pending → firing again when the condition comes back',
    steps: [
      [0, 60, ['LatencyHigh:inactive->pending']],
      [2, 60, ['LatencyHigh:pending->firing']],
      [3, 10, []],
      [4, 10, ['LatencyHigh:firing->resolved']],
      [5, 80, ['LatencyHigh:resolved->pending']],
      [7, 80, ['LatencyHigh:pending->firing']],
    ],
  },
];

describe('alert lifecycle (table-driven, fake time)', () => {
  for (const c of lifecycle) {
    it(c.name, () => {
      const d = new EngineDriver(latency);
      for (const [minute, rtt, expected] of c.steps) {
        const t = T0 + minute * MIN;
        const got = rtt === null ? d.advanceTo(t) : d.feed(t, 'probe', { target: 'r1', probe: 'icmp' }, { rtt_seconds: rtt / 1000 });
        expect(arrows(got), `at minute ${minute}`).toEqual(expected);
      }
    });
  }

  it('fires at exactly activeAt + for, carrying the crossing sample time and rendered annotations', () => {
    const d = new EngineDriver(latency);
    d.feed(T0, 'probe', { target: 'r1', probe: 'icmp' }, { rtt_seconds: 0.075 });
    const [fired] = d.advanceTo(T0 + 10 * MIN);
    expect(fired).toMatchObject({
      to: 'firing', at: T0 + 2 * MIN, activeAt: T0, crossedAt: T0, value: 0.075, threshold: 0.05,
      labels: { target: 'r1', probe: 'icmp', alertname: 'LatencyHigh', severity: 'warning' },
      annotations: { summary: 'r1 rtt 75ms (limit 50ms)' },
    });
    expect(fired!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it('a resolution records when the value cleared (restore time), not when clear.for elapsed', () => {
    const d = new EngineDriver(latency);
    d.feed(T0, 'probe', { target: 'r1' }, { rtt_seconds: 0.1 });
    d.advanceTo(T0 + 3 * MIN);
    d.feed(T0 + 4 * MIN, 'probe', { target: 'r1' }, { rtt_seconds: 0.01 });
    const [resolved] = d.advanceTo(T0 + 9 * MIN);
    expect(resolved).toMatchObject({ to: 'resolved', at: T0 + 5 * MIN, clearedAt: T0 + 4 * MIN });
  });
});

describe('keep_firing_for (Prometheus semantics)', () => {
  const rules = rulesFrom(`
  - alert: ProbeFailing
    select: { measurement: probe }
    value: { field: success }
    when: "= 0"
    keep_firing_for: 3m
  `);
  const cases: [string, [number, number, string[]][]][] = [
    ['for 0 goes straight to firing and keeps firing 3m after the condition stops', [
      [0, 0, ['ProbeFailing:inactive->firing']],
      [1, 1, []],
      [2, 1, []],
      [4, 1, ['ProbeFailing:firing->resolved']],
    ]],
    ['a new failure inside keep_firing_for restarts the wait', [
      [0, 0, ['ProbeFailing:inactive->firing']],
      [1, 1, []],
      [3, 0, []],
      [5, 1, []],
      [7, 1, []],
      [8, 1, ['ProbeFailing:firing->resolved']],
    ]],
  ];
  for (const [name, steps] of cases) {
    it(name, () => {
      const d = new EngineDriver(rules);
      for (const [minute, success, expected] of steps) {
        expect(arrows(d.feed(T0 + minute * MIN, 'probe', { target: 'a' }, { success })), `minute ${minute}`).toEqual(expected);
      }
    });
  }
});

describe('no_data', () => {
  const rules = rulesFrom(`
  - alert: DeviceSilent
    select: { measurement: device }
    value: { field: up }
    when: "= 0"
    no_data: 5m
  `);

  it('fires once when a series goes silent for no_data, and resolves when healthy data returns', () => {
    const d = new EngineDriver(rules);
    expect(arrows(d.feed(T0, 'device', { target: 'sw1' }, { up: 1 }))).toEqual([]);
    expect(arrows(d.advanceTo(T0 + 4 * MIN))).toEqual([]);
    const silent = d.advanceTo(T0 + 20 * MIN);
    expect(arrows(silent)).toEqual(['DeviceSilent:inactive->firing']);
    expect(silent[0]).toMatchObject({ reason: 'no_data', at: T0 + 5 * MIN });
    expect(Number.isNaN(silent[0]!.value)).toBe(true);
    const back = d.feed(T0 + 21 * MIN, 'device', { target: 'sw1' }, { up: 1 });
    expect(arrows(back)).toEqual(['DeviceSilent:firing->resolved']);
    expect(back[0]).toMatchObject({ reason: 'no_data', clearedAt: T0 + 21 * MIN });
  });

  it('a series that keeps reporting never triggers no_data', () => {
    const d = new EngineDriver(rules);
    for (let m = 0; m < 60; m += 4) expect(d.feed(T0 + m * MIN, 'device', { target: 'sw1' }, { up: 1 })).toEqual([]);
  });

  it('a value arriving after a no_data alert that is still bad keeps it firing', () => {
    const d = new EngineDriver(rules);
    d.feed(T0, 'device', { target: 'sw1' }, { up: 1 });
    d.advanceTo(T0 + 6 * MIN);
    expect(d.feed(T0 + 7 * MIN, 'device', { target: 'sw1' }, { up: 0 })).toEqual([]);
    expect(arrows(d.feed(T0 + 8 * MIN, 'device', { target: 'sw1' }, { up: 1 }))).toEqual(['DeviceSilent:firing->resolved']);
  });
});

describe('depends_on', () => {
  const rules = rulesFrom(`
  - alert: DeviceUnreachable
    select: { measurement: target }
    value: { field: up }
    when: "= 0"
  - alert: LinkDown
    select: { measurement: interface }
    value: { field: oper_up }
    when: "= 0"
    depends_on: { alert: DeviceUnreachable, on: [target] }
  `);
  const link = (d: EngineDriver, m: number, up: number, target = 'r1') =>
    arrows(d.feed(T0 + m * MIN, 'interface', { target, interface: 'ge-0/0/1' }, { oper_up: up }));
  const device = (d: EngineDriver, m: number, up: number) => arrows(d.feed(T0 + m * MIN, 'target', { target: 'r1' }, { up }));

  it("a firing parent suppresses the creation of its children's alerts", () => {
    const d = new EngineDriver(rules);
    expect(device(d, 0, 0)).toEqual(['DeviceUnreachable:inactive->firing']);
    expect(link(d, 1, 0)).toEqual([]);
    expect(link(d, 2, 0, 'r2')).toEqual(['LinkDown:inactive->firing']);
  });

  it('the child is created once the parent resolves and its own condition still holds', () => {
    const d = new EngineDriver(rules);
    device(d, 0, 0);
    link(d, 1, 0);
    expect(device(d, 2, 1)).toEqual(['DeviceUnreachable:firing->resolved']);
    expect(link(d, 3, 0)).toEqual(['LinkDown:inactive->firing']);
  });

  it('never suppresses resolution: a child firing before the parent still resolves', () => {
    const d = new EngineDriver(rules);
    expect(link(d, 0, 0)).toEqual(['LinkDown:inactive->firing']);
    device(d, 1, 0);
    expect(link(d, 2, 1)).toEqual(['LinkDown:firing->resolved']);
  });
});

describe('ratio aggregation', () => {
  const rules = rulesFrom(`
  - alert: CallDropRateHigh
    kpi: call_drop_rate
    select: { measurement: voice }
    value: { agg: ratio, numerator: calls_dropped, denominator: call_attempts, over: 15m }
    severity: critical
  `);
  const voice = (d: EngineDriver, m: number, attempts: number, dropped: number) =>
    d.feed(T0 + m * MIN, 'voice', { target: 'msc1', trunk: 't1' }, { call_attempts: attempts, calls_dropped: dropped, calls_answered: attempts });

  it('divides the sums over the window, compared against the catalogue target (< 0.5%)', () => {
    const d = new EngineDriver(rules);
    expect(voice(d, 0, 1000, 4)).toEqual([]); // 0.4 %
    const fired = voice(d, 5, 1000, 7); // (4 + 7) / 2000 = 0.55 %
    expect(arrows(fired)).toEqual(['CallDropRateHigh:inactive->firing']);
    expect(fired[0]!.value).toBeCloseTo(0.0055, 10);
    expect(fired[0]!.threshold).toBe(0.005);
    // 21 minutes later the first two polls have left the 15-minute window.
    expect(arrows(voice(d, 21, 1000, 1))).toEqual(['CallDropRateHigh:firing->resolved']);
  });

  it('zero attempts is no evidence: no alert, no NaN, and a firing alert is not resolved by it', () => {
    const d = new EngineDriver(rules);
    for (let m = 0; m < 60; m += 5) expect(voice(d, m, 0, 0)).toEqual([]);
    expect(activeEntries(d.state)).toEqual([]);
    const d2 = new EngineDriver(rules);
    voice(d2, 0, 100, 50);
    expect(voice(d2, 20, 0, 0)).toEqual([]);
    expect(activeEntries(d2.state).map((e) => e.state)).toEqual(['firing']);
  });
});

describe('aggregations over a window', () => {
  const cases: [agg: string, values: number[], expected: number][] = [
    ['last', [1, 5, 3], 3],
    ['avg', [1, 5, 3], 3],
    ['min', [4, 1, 5], 1],
    ['max', [4, 1, 5], 5],
    ['sum', [4, 1, 5], 10],
    ['count', [4, 1, 5], 3],
    ['p50', [10, 20, 30, 40, 50], 30],
    ['p95', [10, 20, 30, 40, 50], 48],
    ['p99', [0, 100], 99],
  ];
  for (const [agg, values, expected] of cases) {
    it(`${agg} of ${JSON.stringify(values)} is ${expected}`, () => {
      const rules = rulesFrom(`
      - alert: Probe
        select: { measurement: probe }
        value: { field: rtt_seconds, agg: ${agg}, over: 10m }
        when: "< -1"
      `);
      const d = new EngineDriver(rules);
      values.forEach((v, i) => d.feed(T0 + i * MIN, 'probe', { target: 'x' }, { rtt_seconds: v }));
      expect(activeEntries(d.state)).toEqual([]);
      const e = [...d.state.series.values()][0]!.feeds[0]!.entries[0]!;
      expect(e.value).toBeCloseTo(expected, 10);
    });
  }

  it('rate is events per second over the window; a window of samples: N keeps the last N', () => {
    const rules = rulesFrom(`
    - alert: Attempts
      select: { measurement: voice }
      value: { field: call_attempts, agg: rate, over: 5m }
      when: "> 1"
    - alert: Down3
      select: { measurement: device }
      value: { field: up, agg: max, samples: 3 }
      when: "= 0"
    `);
    const d = new EngineDriver(rules);
    d.feed(T0, 'voice', { target: 'm' }, { call_attempts: 300 });
    const fired = d.feed(T0 + MIN, 'voice', { target: 'm' }, { call_attempts: 60 });
    expect(fired[0]!.value).toBeCloseTo(360 / 300, 10);
    expect(d.feed(T0, 'device', { target: 'm' }, { up: 0 })).toEqual([]);
    expect(d.feed(T0 + 30_000, 'device', { target: 'm' }, { up: 0 })).toEqual([]);
    expect(arrows(d.feed(T0 + 60_000, 'device', { target: 'm' }, { up: 0 }))).toEqual(['Down3:inactive->firing']);
  });
});

describe('KPI thresholds follow kpis: overrides', () => {
  it('moving call_drop_rate to < 1% moves the rule', () => {
    const yaml = `
    - alert: CallDropRateHigh
      kpi: call_drop_rate
      select: { measurement: voice }
      value: { agg: ratio, numerator: calls_dropped, denominator: call_attempts, over: 15m }
    `;
    const feed = (d: EngineDriver) => d.feed(T0, 'voice', { target: 'm' }, { call_attempts: 100, calls_dropped: 0.7 });
    expect(arrows(feed(new EngineDriver(rulesFrom(yaml))))).toEqual(['CallDropRateHigh:inactive->firing']);
    expect(feed(new EngineDriver(rulesFrom(yaml, { call_drop_rate: { target: '< 1%' } })))).toEqual([]);
  });
});
