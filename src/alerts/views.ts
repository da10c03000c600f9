import type { KpiDefinition } from '../core/kpi-catalogue.js';
import type { KpiReading } from '../metrics/kpi-metrics.js';
import type { AvailabilityFigures } from './availability.js';
import type { Outage, StoredAlert } from './state/state-store.js';

/** JSON shapes of GET /api/v1/alerts and GET /api/v1/outages. Times are RFC 3339. */
const iso = (ms: number | undefined) => (ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString());

export function alertView(a: StoredAlert, outage: string | undefined, flapping = false) {
  return {
    id: a.fingerprint,
    rule: a.rule,
    state: a.state,
    /** Changing state too often to page on each change (docs/rules.md, flap detection). */
    flapping,
    severity: a.severity,
    labels: a.labels,
    annotations: a.annotations,
    value: a.value,
    threshold: a.threshold ?? null,
    kpi: a.kpi ?? null,
    activeAt: iso(a.activeAt),
    firedAt: iso(a.firedAt),
    acknowledged: a.acknowledgedAt !== undefined ? { by: a.acknowledgedBy ?? '', at: iso(a.acknowledgedAt) } : null,
    outage: outage ?? null,
  };
}

export function outageView(o: Outage, now: number) {
  const end = o.restoredAt ?? now;
  const remaining = o.startedAt + o.recoveryTarget - end;
  return {
    id: o.id,
    service: o.service,
    state: o.restoredAt === undefined ? 'open' : o.endedBy === 'removal' ? 'ended_by_removal' : 'restored',
    /** Null while open; 'removal' when its target or rule left the config (kpid stopped watching; not restored). */
    endedBy: o.restoredAt === undefined ? null : o.endedBy === 'removal' ? 'removal' : 'restored',
    planned: o.planned,
    labels: o.labels,
    alerts: o.alerts,
    startedAt: iso(o.startedAt),
    detectedAt: iso(o.detectedAt),
    acknowledged: o.acknowledgedAt !== undefined ? { by: o.acknowledgedBy ?? '', at: iso(o.acknowledgedAt) } : null,
    restoredAt: o.endedBy === 'removal' ? null : iso(o.restoredAt),
    endedAt: iso(o.restoredAt),
    cause: o.cause ?? null,
    durationSeconds: Math.max(0, end - o.startedAt) / 1000,
    sla: {
      recoveryTargetSeconds: o.recoveryTarget / 1000,
      remainingSeconds: remaining / 1000,
      warnAtSeconds: o.warnAt.map((w) => w / 1000),
      warningsSentSeconds: o.warningsSent.map((w) => w / 1000),
      breached: o.breached,
      /** Restored within the target; null while open and not yet missed. */
      met: o.restoredAt !== undefined && o.endedBy !== 'removal' ? remaining >= 0 : o.breached || remaining < 0 ? false : null,
    },
  };
}

export function availabilityView(service: string, f: { rolling30d: AvailabilityFigures; month: AvailabilityFigures }) {
  const one = (a: AvailabilityFigures) => ({
    from: iso(a.from), to: iso(a.to), availability: a.availability,
    unplannedDowntimeSeconds: a.unplannedDowntimeSeconds, plannedDowntimeSeconds: a.plannedDowntimeSeconds,
    unplannedOutages: a.unplannedOutages, plannedOutages: a.plannedOutages,
  });
  return { service, rolling30d: one(f.rolling30d), month: one(f.month) };
}

/** One row of GET /api/v1/kpis: a KPI's value now in one scope, against its catalogue target. */
export function kpiView(k: KpiReading, def: KpiDefinition | undefined) {
  return {
    kpi: k.kpi,
    name: def?.name ?? k.kpi,
    scope: k.scope,
    value: k.value,
    /** ratio (0-1), seconds, bits_per_second or count. */
    unit: def?.unit ?? null,
    target: def?.target.text ?? null,
    compliant: k.compliant,
  };
}

export type AlertView = ReturnType<typeof alertView>;
export type OutageView = ReturnType<typeof outageView>;
