import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * What push ingest refused and what it holds, so an operator sees a client
 * hitting a limit before its users do.
 */
export function defineIngestMetrics(
  registry: Registry,
  tracked: () => { series: number; measurements: number } | undefined,
): Counter<'limit'> {
  new Gauge({
    name: 'kpid_ingest_series',
    help: 'Series pushed through /api/v1/ingest that the cardinality guard remembers (idle ones expire).',
    registers: [registry],
    collect() {
      this.set(tracked()?.series ?? 0);
    },
  });
  return new Counter({
    name: 'kpid_ingest_refused_total',
    help: 'Pushed samples refused by a limit: max_measurements, max_series_per_measurement, max_series or time_window.',
    labelNames: ['limit'],
    registers: [registry],
  });
}
