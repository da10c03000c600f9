import type { CounterLike, GaugeLike, HistogramLike } from '../core/recorders.js';

/** What the InfluxDB writer records (kpid_store_*; defined in src/metrics/store-metrics.ts). */
export interface StoreMetrics {
  readonly spoolBytes: GaugeLike;
  readonly writeDuration: HistogramLike;
  readonly points: CounterLike<'result'>;
  readonly droppedPoints: CounterLike<'reason'>;
}
