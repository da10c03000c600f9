import type { Outage } from '../../src/alerts/state/state-store.js';
import type { Sample } from '../../src/core/sample.js';

/**
 * A week with known outages and samples, for the compliance report tests.
 * The period is [2026-03-01, 2026-03-08) UTC: 7 days = 10,080 minutes.
 * Expected figures are worked out by hand in the tests that use it.
 */
export const FROM = '2026-03-01';
export const TO = '2026-03-08';
export const at = (iso: string) => Date.parse(iso);

const MIN = 60_000;

export function outage(id: string, service: string, start: string, minutes: number | undefined, planned = false): Outage {
  const startedAt = at(start);
  return {
    id, service, labels: { alertname: 'DeviceUnreachable' }, alerts: [`fp-${id}`],
    startedAt, detectedAt: startedAt + 90_000,
    ...(minutes !== undefined ? { restoredAt: startedAt + minutes * MIN } : {}),
    planned, recoveryTarget: 30 * MIN, warnAt: [15 * MIN, 25 * MIN], warningsSent: [],
    breached: minutes !== undefined && minutes > 30,
  };
}

export const FIXTURE_OUTAGES: readonly Outage[] = [
  outage('o-old', 'bj-dc1/core-1', '2026-02-20T00:00:00Z', 60), // before the period: not in the report
  outage('o-1', 'bj-dc1/core-1', '2026-03-02T10:00:00Z', 12),
  outage('o-2', 'bj-dc1/core-1', '2026-03-04T22:00:00Z', 41),
  outage('m-1', 'bj-dc1/core-1', '2026-03-05T01:00:00Z', 120, true), // planned maintenance, 2 h
  outage('o-3', 'sh-dc2/edge-1', '2026-03-06T08:00:00Z', 5),
];

const voice = (target: string, time: string, attempts: number, answered: number, dropped: number): Sample => ({
  measurement: 'voice', tags: { target, site: 'bj-dc1' },
  fields: { call_attempts: attempts, calls_answered: answered, calls_dropped: dropped },
  integerFields: ['call_attempts', 'calls_answered', 'calls_dropped'],
  time: at(time),
});

const kpi = (id: string, scope: string, time: string, value: number): Sample => ({
  measurement: 'kpi', tags: { kpi: id, scope }, fields: { value }, time: at(time),
});

export const FIXTURE_SAMPLES: readonly Sample[] = [
  voice('msc-1', '2026-02-28T23:59:59Z', 999, 0, 999), // before the period
  voice('msc-1', '2026-03-01T12:00:00Z', 500, 490, 2),
  voice('msc-1', '2026-03-03T12:00:00Z', 700, 680, 2),
  voice('msc-2', '2026-03-02T09:00:00Z', 400, 385, 1),
  voice('msc-2', '2026-03-02T15:00:00Z', 400, 385, 2),
  voice('msc-2', '2026-03-08T00:00:00Z', 1000, 0, 1000), // at `to`, which is exclusive
  kpi('network_coverage', 'beijing', '2026-03-02T06:00:00Z', 0.992),
  kpi('network_coverage', 'beijing', '2026-03-04T06:00:00Z', 0.994),
  kpi('network_coverage', 'beijing', '2026-03-08T00:00:00Z', 0.5), // at `to`
  kpi('network_coverage', 'shanghai', '2026-03-02T06:00:00Z', 0.985),
  kpi('network_coverage', 'shanghai', '2026-03-04T06:00:00Z', 0.989),
  kpi('customer_satisfaction', 'company', '2026-03-05T00:00:00Z', 0.93),
  kpi('avg_data_rate', 'beijing', '2026-03-03T01:00:00Z', 1.2e8),
  kpi('avg_data_rate', 'beijing', '2026-03-03T02:00:00Z', 0.9e8),
  kpi('customer_data_leaks', 'company', '2026-03-01T00:00:00Z', 0),
  kpi('customer_data_leaks', 'company', '2026-03-04T00:00:00Z', 0),
  kpi('customer_data_leaks', 'company', '2026-03-06T00:00:00Z', 1),
  kpi('vuln_fix_rate', 'company', '2026-03-07T23:59:59Z', 1),
  kpi('call_drop_rate', 'guangdong', '2026-03-05T12:00:00Z', 0.004),
  kpi('latency', 'bj-dc1', '2026-03-02T00:00:00Z', 0.03),
  kpi('latency', 'bj-dc1', '2026-03-02T00:05:00Z', 0.06),
];
