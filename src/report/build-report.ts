import type { StateStore } from '../alerts/state/state-store.js';
import { KpidError } from '../core/errors.js';
import type { KpiCatalogue } from '../core/kpi-catalogue.js';
import { daysOf, iso } from './judge.js';
import { availabilityKpi, durationKpi, maintenanceRecords, outageRecords, serviceAvailability, type LedgerPeriod } from './ledger-kpis.js';
import { monitoredSince } from './monitored-time.js';
import type { ComplianceReport, KpiResult, MeasuredKpi, OutageRecord, ReportPeriod, ServiceAvailability } from './report-model.js';
import { trendOf } from './period-trend.js';
import type { FirstSeen, ReportSource } from './report-source.js';
import { sampleKpi } from './sample-kpis.js';
import { whereFailed } from './where.js';

export interface ReportInput {
  /** Start of the period, epoch ms, inclusive. */
  readonly from: number;
  /** End of the period, epoch ms, exclusive. */
  readonly to: number;
  readonly catalogue: KpiCatalogue;
  /** The outage ledger. */
  readonly store: StateStore;
  readonly samples: ReportSource;
  /** When the report is made; the period is counted up to here when it is before `to`. Default Date.now(). */
  readonly now?: number;
}

/** The longest period one report covers: a year and a day, so a leap year fits. */
export const MAX_PERIOD_MS = 367 * 86_400_000;

/** KPIs the outage ledger measures; every other catalogue KPI is measured from samples. */
const LEDGER_KPIS = new Set(['availability', 'interruption_minutes', 'recovery_minutes']);

/**
 * Every catalogue KPI against its target over [from, to), with the evidence:
 * the outage ledger for availability and the outage KPIs, the report source
 * (InfluxDB or the embedded rollup) for the rest.
 */
export async function buildReport(input: ReportInput): Promise<ComplianceReport> {
  const { from, to, samples } = input;
  if (!(Number.isFinite(from) && Number.isFinite(to) && from < to)) {
    throw new KpidError('report_period_invalid', `the report period must end after it starts (from ${from}, to ${to})`, { from, to });
  }
  if (to - from > MAX_PERIOD_MS) {
    throw new KpidError('report_period_too_long', `a report covers at most 367 days; split longer periods`, { from, to });
  }
  const now = input.now ?? Date.now();
  // A period that has not ended is counted up to now: no outage, sample or day after it exists yet.
  const end = Math.max(from, Math.min(to, now));
  // The previous period, of the same length, ended before this one began: counted whole.
  const before = from - (to - from);
  const [current, previous] = await Promise.all([measure(input, from, to, end), measure(input, before, from, from)]);
  const { perService, records } = current;
  // Before kpid first saw anything, the ledger's "no outage, so 100 %" is no figure at all.
  const watched = current.seen.length === 0 || current.seen.some((s) => s.at < from);
  const kpis: KpiResult[] = current.kpis.map((k, i) => ({ ...k, trend: trendOf(k, watched ? previous.kpis[i]!.value : null) }));

  const failed = kpis.filter((k) => k.status === 'fail');
  return {
    report: 'kpid-compliance',
    version: 1,
    generatedAt: iso(now),
    period: { ...periodOf(from, to, end), previous: { from: iso(before), to: iso(from) } },
    source: { mode: samples.mode, notes: samples.notes(from, to) },
    summary: {
      kpis: kpis.length,
      pass: kpis.filter((k) => k.status === 'pass').length,
      fail: failed.length,
      noData: kpis.filter((k) => k.status === 'no_data').length,
      failed: failed.map((k) => ({ kpi: k.id, name: k.name, failures: k.failures, ...whereFailed(k.target, k.failures) })),
    },
    kpis,
    availability: perService,
    failedServices: perService.filter((s) => s.status === 'fail').map((s) => s.service),
    outages: records,
    maintenance: maintenanceRecords(records),
  };
}

/** Every catalogue KPI over [from, to), counted up to `end`, with the ledger's per-service figures and outages. */
async function measure(input: ReportInput, from: number, to: number, end: number): Promise<{ kpis: MeasuredKpi[]; perService: ServiceAvailability[]; records: OutageRecord[]; seen: readonly FirstSeen[] }> {
  const { catalogue, store, samples } = input;
  const days = daysOf(from, to);
  const [outages, kpiDays, voiceDays, polled, seen] = await Promise.all([
    store.outagesBetween(from, to),
    samples.kpiDays(from, to),
    samples.voiceDays(from, to),
    samples.polled(from, to),
    samples.firstSeen(),
  ]);
  const ledger: LedgerPeriod = { outages, from, to, end, days, since: monitoredSince(outages, seen) };
  const records = outageRecords(ledger);
  const availabilityDef = catalogue.get('availability');
  const perService = availabilityDef ? serviceAvailability(availabilityDef, ledger) : [];
  const kpis = catalogue.ids().map((id) => {
    const def = catalogue.get(id)!;
    if (id === 'availability') return availabilityKpi(def, ledger, perService);
    if (LEDGER_KPIS.has(id)) return durationKpi(def, ledger);
    return sampleKpi(def, { kpiDays, voiceDays, polled, days });
  });
  return { kpis, perService, records, seen };
}

function periodOf(from: number, to: number, end: number): Omit<ReportPeriod, 'previous'> {
  const cut = end < to;
  return {
    from: iso(from), to: iso(to), seconds: (to - from) / 1000,
    countedTo: iso(end), countedSeconds: (end - from) / 1000, cutAtNow: cut,
    ...(cut ? { note: `the period ends ${iso(to)}, after this report was made: it is counted up to ${iso(end)} (now), and open outages count up to then` } : {}),
  };
}
