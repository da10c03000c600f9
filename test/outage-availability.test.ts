import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { availability, availabilityPeriods, DAY } from '../src/alerts/availability.js';
import type { Outage } from '../src/alerts/state/state-store.js';
import { defineKpiMetrics } from '../src/metrics/kpi-metrics.js';
import { FakeClock } from '../src/core/clock.js';
import { SqliteStateStore } from '../src/alerts/state/sqlite-state-store.js';
import { RecordingNotifier, wireRuntime } from '../src/alerts/testing.js';
import { MIN, rulesFrom } from '../src/rules/testing.js';
import { outageFixture } from './helpers/state-store-contract.js';

const MAR = Date.UTC(2026, 2, 1);
const o = (startMin: number, endMin: number | undefined, over: Partial<Outage> = {}): Outage =>
  outageFixture({ id: `o${startMin}`, startedAt: MAR + startMin * MIN, ...(endMin !== undefined ? { restoredAt: MAR + endMin * MIN } : {}), ...over });

describe('availability from the outage ledger', () => {
  const month = [MAR, Date.UTC(2026, 3, 1)] as const; // 31 days = 44,640 minutes
  const cases: [string, Outage[], { availability: number; unplanned: number; planned: number }][] = [
    ['no outages is 100 %', [], { availability: 1, unplanned: 0, planned: 0 }],
    ['44.64 minutes down in March is exactly 99.9 %', [o(100, 144.64)], { availability: 0.999, unplanned: 2678.4, planned: 0 }],
    ['overlapping outages count once', [o(0, 60, { id: 'a' }), o(30, 90, { id: 'b' })], { availability: 1 - 90 / 44_640, unplanned: 5400, planned: 0 }],
    ['planned maintenance is excluded from both sides and reported apart',
      [o(0, 120, { planned: true }), o(1000, 1010)], { availability: 1 - 10 / (44_640 - 120), unplanned: 600, planned: 7200 }],
    ['unplanned time inside a planned window counts as planned',
      [o(0, 120, { planned: true, id: 'p' }), o(60, 180, { id: 'u' })], { availability: 1 - 60 / (44_640 - 120), unplanned: 3600, planned: 7200 }],
    ['an outage crossing the period edge counts only its part inside', [o(-60, 30)], { availability: 1 - 30 / 44_640, unplanned: 1800, planned: 0 }],
    ['another service does not count', [o(0, 600, { service: 'other' })], { availability: 1, unplanned: 0, planned: 0 }],
  ];
  for (const [name, outages, want] of cases) {
    it(name, () => {
      const a = availability(outages, 'voice-dc1', ...month);
      expect(a.availability).toBeCloseTo(want.availability, 12);
      expect(a.unplannedDowntimeSeconds).toBeCloseTo(want.unplanned, 6);
      expect(a.plannedDowntimeSeconds).toBeCloseTo(want.planned, 6);
    });
  }

  it('an open outage counts up to the end of the period', () => {
    expect(availability([o(44_640 - 60, undefined)], 'voice-dc1', ...month).unplannedDowntimeSeconds).toBe(3600);
  });

  it('periods are the rolling 30 days and the calendar month (UTC) to date', () => {
    const now = Date.UTC(2026, 2, 15, 12);
    expect(availabilityPeriods(now)).toEqual({ rolling30d: [now - 30 * DAY, now], month: [MAR, now] });
  });
});

describe('kpid_* KPI and outage metrics', () => {
  it('expose KPI values and compliance, alert counts, open outages and the SLA time left, read at scrape time', async () => {
    const rules = rulesFrom(`
    - alert: CallDropRateHigh
      kpi: call_drop_rate
      select: { measurement: voice }
      value: { agg: ratio, numerator: calls_dropped, denominator: call_attempts, over: 15m }
      severity: critical
    - alert: SiteDown
      select: { measurement: target }
      value: { field: up }
      when: "= 0"
      severity: critical
      outage: { service: "{{ $labels.site }}", warn_at: [15m] }
    `);
    const registry = new Registry();
    const metrics = defineKpiMetrics(registry);
    const clock = new FakeClock(MAR);
    const store = new SqliteStateStore(':memory:');
    const wired = wireRuntime(rules, { clock, store, notifier: new RecordingNotifier(), metrics, isPlanned: () => false });
    const runtime = wired.runtime;
    await wired.start();
    wired.rules.write([
      { measurement: 'voice', tags: { target: 'msc1' }, fields: { call_attempts: 1000, calls_dropped: 3, calls_answered: 990 }, time: MAR },
      { measurement: 'voice', tags: { target: 'msc2' }, fields: { call_attempts: 1000, calls_dropped: 9, calls_answered: 990 }, time: MAR },
      { measurement: 'target', tags: { target: 'core-1', site: 'dc1' }, fields: { up: 0 }, time: MAR },
    ]);
    clock.advance(10 * MIN);
    await runtime.flush();
    const text = await registry.metrics();
    expect(text).toContain('kpid_kpi_value{kpi="call_drop_rate",scope="msc1"} 0.003');
    expect(text).toContain('kpid_kpi_compliant{kpi="call_drop_rate",scope="msc1"} 1');
    expect(text).toContain('kpid_kpi_value{kpi="call_drop_rate",scope="msc2"} 0.009');
    expect(text).toContain('kpid_kpi_compliant{kpi="call_drop_rate",scope="msc2"} 0');
    expect(text).toContain('kpid_alerts{state="firing",severity="critical"} 2');
    expect(text).toContain('kpid_alerts{state="pending",severity="warning"} 0');
    expect(text).toContain('kpid_outages_open 1');
    const id = runtime.outages()[0]!.id;
    expect(text).toContain(`kpid_outage_sla_remaining_seconds{outage="${id}",service="dc1"} 1200`);
    // 10 of 43,200 minutes down so far in the rolling 30 days.
    expect(text).toMatch(new RegExp(`kpid_kpi_value\\{kpi="availability",scope="dc1"\\} 0\\.99976851851`));
    expect(text).toContain('kpid_kpi_compliant{kpi="availability",scope="dc1"} 1');
    expect(text).toContain('kpid_kpi_value{kpi="interruption_minutes",scope="dc1"} 600');
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(lint.error, 'promtool (Debian prometheus) must be installed').toBeUndefined();
    expect(`${lint.stdout}${lint.stderr}`.trim()).toBe('');
    expect(lint.status).toBe(0);
    clock.advance(25 * MIN);
    expect(await registry.metrics()).toContain(`kpid_outage_sla_remaining_seconds{outage="${id}",service="dc1"} -300`);
    await wired.stop();
    await store.close();
  });
});
