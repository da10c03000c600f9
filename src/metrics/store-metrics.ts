import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Metrics of the InfluxDB writer (src/store); names are in SPEC.md. */
export function defineStoreMetrics(registry: Registry) {
  const r = [registry];
  return {
    spoolBytes: new Gauge({
      name: 'kpid_store_spool_bytes',
      help: 'Bytes of batches waiting on disk for InfluxDB to come back.',
      registers: r,
    }),
    writeDuration: new Histogram({
      name: 'kpid_store_write_duration_seconds',
      help: 'Time one write of one batch to InfluxDB took, in seconds, whatever its outcome.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: r,
    }),
    points: new Counter({
      name: 'kpid_store_points_total',
      help: 'Points handled by the InfluxDB writer by result: written (stored), spooled (put on disk to retry), rejected (refused by InfluxDB).',
      labelNames: ['result'] as const,
      registers: r,
    }),
    droppedPoints: new Counter({
      name: 'kpid_store_dropped_points_total',
      help: 'Points that will never reach InfluxDB, by reason: rejected (a bad point InfluxDB refused), invalid (no finite field), spool_full (oldest dropped beyond the spool bound), spool_error (disk error).',
      labelNames: ['reason'] as const,
      registers: r,
    }),
  };
}

export type StoreMetrics = ReturnType<typeof defineStoreMetrics>;
