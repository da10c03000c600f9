import type { Sample } from '../core/sample.js';
import type { OutageLedger } from './outage-ledger.js';
import type { Outage } from './state/state-store.js';

/**
 * The outage ledger as InfluxDB series (SPEC.md measurements `outage` and
 * `kpi`), for the SLA dashboard: each outage open now or restored since
 * `restoredSince` with its duration so far, and each service's
 * availability over the rolling 30 days (no `window` tag, as a pushed KPI)
 * and month to date (`window=month_to_date`).
 */
export function ledgerSamples(
  ledger: OutageLedger, now: number, restoredSince: number,
  /** An open outage's own now (OutageKeeper.nowOf): its duration so far is real time, whatever the wall clock did. */
  nowOf: (o: Outage) => number = () => now,
): Sample[] {
  const samples: Sample[] = ledger.list(restoredSince).map((o) => ({
    measurement: 'outage',
    tags: { service: o.service, outage: o.id, ...(o.labels.site ? { site: o.labels.site } : {}) },
    fields: {
      duration_seconds: Math.max(0, (o.restoredAt ?? nowOf(o)) - o.startedAt) / 1000,
      open: o.restoredAt === undefined ? 1 : 0,
      planned: o.planned ? 1 : 0,
    },
    time: now,
    integerFields: ['open', 'planned'],
  }));
  for (const service of ledger.services()) {
    const a = ledger.availability(service, now);
    samples.push(
      { measurement: 'kpi', tags: { kpi: 'availability', scope: service }, fields: { value: a.rolling30d.availability }, time: now },
      { measurement: 'kpi', tags: { kpi: 'availability', scope: service, window: 'month_to_date' }, fields: { value: a.month.availability }, time: now },
    );
  }
  return samples;
}
