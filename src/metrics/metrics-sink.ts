import type { Sample } from '../core/sample.js';
import type { Sink } from '../pipeline/pipeline.js';
import type { SeriesTracker } from './series-tracker.js';

/**
 * Turns the samples of one measurement into gauge values. Each measurement
 * (probe, interface, kpi, ...) has its own mapper, registered in one map.
 */
export type MeasurementMapper = (sample: Sample, series: SeriesTracker) => void;

/** The /metrics sink: keeps the latest value of every series in the registry. */
export class MetricsSink implements Sink {
  readonly name = 'metrics';

  constructor(
    private readonly mappers: ReadonlyMap<string, MeasurementMapper>,
    readonly series: SeriesTracker,
  ) {}

  /** `lifetime`: how long these series stay on /metrics without another sample, ms. */
  write(samples: readonly Sample[], lifetime = Infinity): void {
    this.series.lifetime(lifetime);
    for (const s of samples) this.mappers.get(s.measurement)?.(s, this.series);
  }
}
