import { describe, expect, it } from 'vitest';
import { ledgerSamples } from './ledger-samples.js';
import { OutageLedger } from './outage-ledger.js';
import type { Outage } from './state/state-store.js';

const MIN = 60_000;
// 2026-03-10 00:00 UTC: the rolling 30 days began on February 8, the month on March 1.
const NOW = Date.UTC(2026, 2, 10);
const outage = (id: string, service: string, startedAt: number, restoredAt?: number): Outage => ({
  id, service, labels: { site: 'bj-dc1' }, alerts: restoredAt === undefined ? ['a'] : [], startedAt, detectedAt: startedAt,
  ...(restoredAt === undefined ? {} : { restoredAt }), planned: false, recoveryTarget: 30 * MIN, warnAt: [], warningsSent: [], breached: false,
});

describe('ledgerSamples: the outage ledger as InfluxDB series', () => {
  const ledger = new OutageLedger();
  ledger.load([
    outage('o-open', 'bj-dc1/core-1', NOW - 12 * MIN),
    outage('o-old', 'bj-dc1/edge-1', NOW - 10 * 1440 * MIN, NOW - 10 * 1440 * MIN + 43.2 * MIN),
    outage('o-new', 'bj-dc1/edge-1', NOW - 60 * MIN, NOW - 30 * MIN),
  ]);

  it('an open outage reads open with its duration so far; one restored since the last write, its final duration', () => {
    const outages = ledgerSamples(ledger, NOW, NOW - 45 * MIN).filter((s) => s.measurement === 'outage');
    expect(outages.map((s) => [s.tags.outage, s.tags.service, s.fields.open, s.fields.duration_seconds])).toEqual([
      ['o-open', 'bj-dc1/core-1', 1, 12 * 60],
      ['o-new', 'bj-dc1/edge-1', 0, 30 * 60],
    ]);
    expect(outages[0]!.integerFields).toEqual(['open', 'planned']);
  });

  it('each service gets its rolling 30-day availability (no window tag) and its month to date', () => {
    const kpis = ledgerSamples(ledger, NOW, NOW).filter((s) => s.measurement === 'kpi' && s.tags.scope === 'bj-dc1/edge-1');
    const rolling = kpis.find((s) => s.tags.window === undefined)!;
    const mtd = kpis.find((s) => s.tags.window === 'month_to_date')!;
    expect(rolling.tags).toEqual({ kpi: 'availability', scope: 'bj-dc1/edge-1' });
    // 43.2 (February 28) + 30 minutes down in 30 days
    expect(rolling.fields.value).toBeCloseTo(1 - 73.2 / (30 * 1440), 9);
    // only the 30 minutes of today, in the 9 March days so far
    expect(mtd.fields.value).toBeCloseTo(1 - 30 / (9 * 1440), 9);
    expect(kpis).toHaveLength(2);
  });
});
