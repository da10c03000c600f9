import { Counter, Gauge, type Registry } from 'prom-client';
import { KpiSeries, type KpiReading } from './kpi-series.js';

export type { KpiReading };


export interface OutageClockReading {
  readonly outage: string;
  readonly service: string;
  readonly remainingSeconds: number;
}

/** Where the gauges read from at scrape time; the alert runtime fills it in. */
export interface KpiMetricsSource {
  /** Hands each reading to `each`, which copies what it keeps (the object may be refilled for the next). */
  kpis(each: (k: KpiReading) => void): void;
  alertCounts(): Iterable<{ state: 'pending' | 'firing' | 'flapping'; severity: string; count: number }>;
  openOutageClocks(): readonly OutageClockReading[];
}

/**
 * kpid_kpi_value, kpid_kpi_compliant, kpid_alerts, kpid_outages_open and
 * kpid_outage_sla_remaining_seconds (SPEC.md). They are computed when
 * scraped, from the rule engine and the outage ledger, rather than set on
 * every sample: half a million gauge updates a second would cost more than
 * the rules themselves, and the SLA clock must read the time of the scrape.
 */
export function defineKpiMetrics(registry: Registry) {
  const r = [registry];
  let source: KpiMetricsSource | undefined;
  // kpid_kpi_value is registered first, so its collect fills both gauges
  // from one pass over the readings.
  const kpiValue: Gauge<'kpi' | 'scope'> = new Gauge({
    name: 'kpid_kpi_value',
    help: 'Current value of each catalogue KPI per scope; ratios 0-1, durations in seconds, rates in bits per second.',
    labelNames: ['kpi', 'scope'] as const,
    registers: r,
    collect() {
      kpiSeries.collect((each) => source?.kpis(each));
    },
  });
  const kpiCompliant = new Gauge({
    name: 'kpid_kpi_compliant',
    help: 'Whether the KPI meets its catalogue target in this scope (1) or not (0).',
    labelNames: ['kpi', 'scope'] as const,
    registers: r,
  });
  const kpiSeries = new KpiSeries(kpiValue, kpiCompliant);
  const alerts = new Gauge({
    name: 'kpid_alerts',
    help: 'Alerts by state (pending, firing; flapping counts the flapping ones, whatever their state) and severity.',
    labelNames: ['state', 'severity'] as const,
    registers: r,
    collect() {
      alerts.reset();
      for (const state of ['pending', 'firing', 'flapping'] as const) {
        for (const severity of ['info', 'warning', 'critical']) alerts.set({ state, severity }, 0);
      }
      for (const c of source?.alertCounts() ?? []) alerts.set({ state: c.state, severity: c.severity }, c.count);
    },
  });
  const outagesOpen = new Gauge({
    name: 'kpid_outages_open',
    help: 'Outages not yet restored.',
    registers: r,
    collect() {
      outagesOpen.set(source?.openOutageClocks().length ?? 0);
    },
  });
  const slaRemaining = new Gauge({
    name: 'kpid_outage_sla_remaining_seconds',
    help: 'Time left before the open outage misses its recovery target, in seconds (negative once missed).',
    labelNames: ['outage', 'service'] as const,
    registers: r,
    collect() {
      slaRemaining.reset();
      for (const o of source?.openOutageClocks() ?? []) slaRemaining.set({ outage: o.outage, service: o.service }, o.remainingSeconds);
    },
  });
  const stateWritesDropped = new Counter({
    name: 'kpid_state_writes_dropped_total',
    help: 'Alert and outage state writes dropped because too many were waiting for an unreachable state store (state.max_pending_writes).',
    registers: r,
  });
  return {
    kpiValue, kpiCompliant, alerts, outagesOpen, slaRemaining, stateWritesDropped,
    /** Points the gauges at the running alert runtime (replacing any earlier one). */
    readFrom(s: KpiMetricsSource | undefined): void {
      source = s;
    },
  };
}

export type KpiMetrics = ReturnType<typeof defineKpiMetrics>;
