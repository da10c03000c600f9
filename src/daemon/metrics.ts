import type { Registry } from 'prom-client';
import { defineMetrics } from '../metrics/definitions.js';
import { defineSnmpMetrics, interfaceMappers } from '../metrics/interface-metrics.js';
import { defineKpiMetrics } from '../metrics/kpi-metrics.js';
import { MetricsSink, type MeasurementMapper } from '../metrics/metrics-sink.js';
import { defineNotifyMetrics } from '../metrics/notify-metrics.js';
import { probeMappers } from '../metrics/probe-mapper.js';
import { SeriesTracker } from '../metrics/series-tracker.js';
import { defineStoreMetrics } from '../metrics/store-metrics.js';
import { defineTrapMetrics } from '../metrics/trap-metrics.js';
import type { Target } from '../core/target.js';

/** Every kpid_* metric of one daemon, registered in the order /metrics has always listed them. */
export function defineDaemonMetrics(registry: Registry) {
  const trap = defineTrapMetrics(registry);
  const store = defineStoreMetrics(registry);
  const kpi = defineKpiMetrics(registry);
  const notify = defineNotifyMetrics(registry);
  const kpid = defineMetrics(registry);
  const snmp = defineSnmpMetrics(registry);
  return { trap, store, kpi, notify, kpid, snmp };
}

export type DaemonMetrics = ReturnType<typeof defineDaemonMetrics>;

/** The metrics stage's sink: probe and interface samples become /metrics series. */
export function metricsSink(metrics: DaemonMetrics, series: SeriesTracker): MetricsSink {
  const mappers = new Map<string, MeasurementMapper>([...probeMappers(metrics.kpid), ...interfaceMappers(metrics.snmp)]);
  return new MetricsSink(mappers, series);
}

/** Per-target series of targets no longer configured leave /metrics. */
export function forgetRemovedTargets(series: SeriesTracker, targets: readonly Target[]): void {
  const names = new Set(targets.map((t) => t.name));
  for (const t of series.targets()) if (t && !names.has(t)) series.forgetTarget(t);
}
