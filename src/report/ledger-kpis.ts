import { availability } from '../alerts/availability.js';
import type { Outage } from '../alerts/state/state-store.js';
import type { KpiDefinition } from '../core/kpi-catalogue.js';
import { DAY_MS } from '../store/kpi-rollup.js';
import { formatDuration, formatValue } from './format-values.js';
import { combine, dayKey, iso, judge, worstOf } from './judge.js';
import { targetOfService, type MonitoredSinceOf } from './monitored-time.js';
import type { Failure, MeasuredKpi, MaintenanceRecord, OutageRecord, ScopeResult, ServiceAvailability } from './report-model.js';

/** The outage ledger's view of a period; `end` is where open outages stop counting (the period's end, or now if earlier). */
export interface LedgerPeriod {
  readonly outages: readonly Outage[];
  readonly from: number;
  readonly to: number;
  readonly end: number;
  readonly days: readonly number[];
  readonly since: MonitoredSinceOf;
}

/** The monitored part of [from, to) for a service: from when kpid first saw it, up to the counted end. */
function monitored(p: LedgerPeriod, service: string, from = p.from, to = p.to): [number, number] {
  return [Math.max(from, p.since(service).at), Math.min(to, p.end)];
}

/** Closed because service came back; one ended by the removal of its target or rule was never seen restored. */
const restored = (o: Outage) => o.restoredAt !== undefined && o.endedBy !== 'removal';
const restoredOrEnd = (o: Outage, p: LedgerPeriod) => o.restoredAt ?? Math.max(o.startedAt, p.end);
const durationOf = (o: Outage, p: LedgerPeriod) => (restoredOrEnd(o, p) - o.startedAt) / 1000;

export function outageRecords(p: LedgerPeriod): OutageRecord[] {
  return [...p.outages].sort((a, b) => a.startedAt - b.startedAt || (a.id < b.id ? -1 : 1)).map((o) => {
    const duration = durationOf(o, p);
    const target = o.recoveryTarget / 1000;
    const met = o.planned ? null : restored(o) ? duration <= target : duration > target ? false : null;
    return {
      id: o.id, service: o.service, startedAt: iso(o.startedAt),
      restoredAt: restored(o) ? iso(o.restoredAt!) : null,
      ...(o.endedBy === 'removal' && o.restoredAt !== undefined ? { endedByRemovalAt: iso(o.restoredAt) } : {}),
      durationSeconds: duration,
      inPeriodSeconds: Math.max(0, Math.min(restoredOrEnd(o, p), p.to) - Math.max(o.startedAt, p.from)) / 1000,
      recoveryTargetSeconds: target, met, planned: o.planned,
      ...(o.cause ? { cause: o.cause } : {}),
    };
  });
}

export function maintenanceRecords(records: readonly OutageRecord[]): MaintenanceRecord[] {
  return records.filter((r) => r.planned).map((r) => ({
    id: r.id, service: r.service, startedAt: r.startedAt, restoredAt: r.restoredAt,
    excludedSeconds: r.inPeriodSeconds, ...(r.cause ? { cause: r.cause } : {}),
  }));
}

/**
 * Availability per service over the time it was monitored inside the
 * period, up to now when the period has not ended: a service kpid has
 * watched for two minutes is judged on those two minutes, not on a month.
 */
export function serviceAvailability(def: KpiDefinition, p: LedgerPeriod): ServiceAvailability[] {
  return services(p.outages).map((service) => {
    const [from, to] = monitored(p, service);
    const a = availability(p.outages, service, from, to);
    return {
      service, target: targetOfService(p.outages, service),
      availability: a.availability, status: judge(def.target, a.availability) === 'fail' ? 'fail' : 'pass',
      monitoredFrom: iso(from), monitoredSeconds: Math.max(0, to - from) / 1000, monitoredSince: p.since(service).basis,
      unplannedDowntimeSeconds: a.unplannedDowntimeSeconds, plannedDowntimeSeconds: a.plannedDowntimeSeconds,
      unplannedOutages: a.unplannedOutages, plannedOutages: a.plannedOutages,
    };
  });
}

/** `availability`: the worst service's, planned maintenance excluded. */
export function availabilityKpi(def: KpiDefinition, p: LedgerPeriod, perService: readonly ServiceAvailability[]): MeasuredKpi {
  const scopes: ScopeResult[] = perService.map((s) => ({ scope: s.service, source: 'ledger', target: s.target, value: s.availability, status: s.status }));
  const value = worstOf(def.target, perService.map((s) => s.availability)) ?? 1;
  const failures: Failure[] = perService.filter((s) => s.status === 'fail').map((s) => ({
    scope: s.service, target: s.target, value: s.availability, seconds: s.unplannedDowntimeSeconds,
    detail: `${s.service}: ${formatValue('ratio', s.availability)} available against ${def.target.text}; `
      + `${formatDuration(s.unplannedDowntimeSeconds)} unplanned downtime in ${s.unplannedOutages} outage(s)`
      + ` over ${formatDuration(s.monitoredSeconds)} monitored`,
  }));
  // A day after the counted end has no data; a day counts a service only for the part it was monitored.
  const daily = p.days.map((day) => {
    if (day >= p.end) return { day: dayKey(day), value: null };
    const values = services(p.outages).flatMap((s) => {
      const [from, to] = monitored(p, s, Math.max(day, p.from), Math.min(day + DAY_MS, p.to));
      return to > from ? [availability(p.outages, s, from, to).availability] : [];
    });
    return { day: dayKey(day), value: worstOf(def.target, values) ?? 1 };
  });
  return {
    ...head(def), value, status: combine([judge(def.target, value), ...scopes.map((s) => s.status)]),
    ...(perService.length ? {} : { reason: 'no outage in the ledger overlaps the period: every service was available throughout' }),
    basis: 'per service (monitored − planned − unplanned downtime) ÷ (monitored − planned) from the outage ledger, '
      + 'monitored = the part of the period from when kpid first saw the service up to the end of the period or now if earlier; the worst service',
    scopes, failures, daily,
  };
}

/**
 * `interruption_minutes` (every unplanned outage, open ones counted to the
 * end of the period) and `recovery_minutes` (restored ones, start to
 * restore): the longest against the target, every one that missed it listed.
 */
export function durationKpi(def: KpiDefinition, p: LedgerPeriod): MeasuredKpi {
  const recovery = def.id === 'recovery_minutes';
  const counted = p.outages.filter((o) => !o.planned && (!recovery || restored(o)));
  const longest = (list: readonly Outage[]) => (list.length ? Math.max(...list.map((o) => durationOf(o, p))) : 0);
  const scopes: ScopeResult[] = services(counted).map((service) => {
    const value = longest(counted.filter((o) => o.service === service));
    return { scope: service, source: 'ledger', target: targetOfService(counted, service), value, status: judge(def.target, value) };
  });
  const failures: Failure[] = counted.filter((o) => judge(def.target, durationOf(o, p)) === 'fail').map((o) => ({
    scope: o.service, target: o.labels.target ?? o.service, value: durationOf(o, p), seconds: durationOf(o, p),
    detail: `${o.service}: outage ${o.id} from ${iso(o.startedAt)} ${o.restoredAt === undefined ? 'still open after' : 'lasted'} `
      + `${formatDuration(durationOf(o, p))} against ${def.target.text}`,
  }));
  const value = longest(counted);
  const daily = p.days.map((day) => ({
    day: dayKey(day),
    value: day >= p.end ? null : longest(counted.filter((o) => o.startedAt < day + DAY_MS && restoredOrEnd(o, p) > day)),
  }));
  const open = p.outages.filter((o) => !o.planned && o.restoredAt === undefined).length;
  const reason = counted.length === 0
    ? `no unplanned outage ${recovery ? 'was restored' : 'overlaps the period'}${recovery && open ? ` (${open} still open)` : ''}`
    : undefined;
  return {
    ...head(def), value, status: combine([judge(def.target, value), ...scopes.map((s) => s.status)]),
    ...(reason ? { reason } : {}),
    basis: recovery
      ? 'longest start-to-restore time of the unplanned outages restored in the period'
      : 'longest unplanned outage overlapping the period (an open one counts to the end of the period, or to now if earlier)',
    scopes, failures, daily,
  };
}

function head(def: KpiDefinition) {
  return {
    id: def.id, name: def.name, chapter: def.chapter, unit: def.unit,
    target: { text: def.target.text, op: def.target.op, value: def.target.value },
  };
}

function services(outages: readonly Outage[]): string[] {
  return [...new Set(outages.map((o) => o.service))].sort();
}
