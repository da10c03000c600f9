import type { CounterLike, GaugeLike, HistogramLike } from '../core/recorders.js';

/** What the scheduler records (kpid_scheduler_* and kpid_collector_*; defined in src/metrics/definitions.ts). */
export interface SchedulerMetrics {
  readonly targets: GaugeLike;
  readonly pollsInFlight: GaugeLike;
  readonly skippedPolls: CounterLike<'collector'>;
  readonly collectorErrors: CounterLike<'collector' | 'reason'>;
  readonly collectorDuration: HistogramLike<'collector'>;
}
