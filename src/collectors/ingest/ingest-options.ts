import type { CardinalityLimits } from './cardinality-guard.js';
import type { IngestConfig } from './ingest-config.js';

/*
 * What push ingest runs on, in its own words: the validated `ingest:` section
 * (ingest-config.ts) mapped once, here. Nothing else in src/collectors/ingest/
 * reads the YAML names. Defaults are those of ingest-config.ts.
 */

/** Limits of POST /api/v1/ingest. */
export interface IngestLimits extends CardinalityLimits {
  /** Most samples one request may carry; a larger request is refused whole. Default 10,000. */
  readonly maxSamplesPerRequest: number;
  /** How far in the past a timestamp may be, ms (ingest.max_age). Default 7 days. */
  readonly maxAgeMs: number;
  /** How far in the future a timestamp may be, ms (ingest.max_future). Default 10 minutes. */
  readonly maxFutureMs: number;
}

/** Options from the validated `ingest:` section. */
export function ingestLimits(c: IngestConfig): IngestLimits {
  return {
    maxSamplesPerRequest: c.max_samples_per_request,
    maxMeasurements: c.max_measurements,
    maxSeriesPerMeasurement: c.max_series_per_measurement,
    maxSeries: c.max_series,
    idleExpiryMs: c.series_idle_expiry,
    maxAgeMs: c.max_age,
    maxFutureMs: c.max_future,
  };
}
