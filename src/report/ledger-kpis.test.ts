import { describe, expect, it } from 'vitest';
import type { Outage } from '../alerts/state/state-store.js';
import { KpiCatalogue } from '../core/kpi-catalogue.js';
import { durationKpi, outageRecords, type LedgerPeriod } from './ledger-kpis.js';

const MIN = 60_000;
const FROM = Date.UTC(2026, 0, 1);
const TO = FROM + 24 * 60 * MIN;

const outage = (id: string, startMin: number, endMin: number, endedBy?: 'removal'): Outage => ({
  id, service: `voice-${id}`, labels: { target: id }, alerts: [], startedAt: FROM + startMin * MIN, detectedAt: FROM + startMin * MIN,
  restoredAt: FROM + endMin * MIN, ...(endedBy ? { endedBy } : {}),
  planned: false, recoveryTarget: 30 * MIN, warnAt: [], warningsSent: [], breached: false,
});

function period(outages: Outage[]): LedgerPeriod {
  return { outages, from: FROM, to: TO, end: TO, days: [FROM], since: () => ({ at: FROM, basis: 'unknown' }) };
}

describe('an outage ended by the removal of its target or rule (issue 13 §5)', () => {
  const catalogue = new KpiCatalogue();
  // a: restored after 10 min; b: ended by removal after 50 min, never seen to recover.
  const p = period([outage('a', 60, 70), outage('b', 120, 170, 'removal')]);

  it('is listed as ended by removal, not restored, and its recovery target is not judged met', () => {
    const [a, b] = outageRecords(p);
    expect(a).toMatchObject({ id: 'a', restoredAt: '2026-01-01T01:10:00.000Z', met: true });
    expect(b).toMatchObject({ id: 'b', restoredAt: null, endedByRemovalAt: '2026-01-01T02:50:00.000Z', durationSeconds: 3000, met: false });
  });

  it('does not count as a recovery (recovery_minutes), but its downtime counts as an interruption', () => {
    expect(durationKpi(catalogue.get('recovery_minutes')!, p).value).toBe(600);
    expect(durationKpi(catalogue.get('interruption_minutes')!, p).value).toBe(3000);
  });
});
