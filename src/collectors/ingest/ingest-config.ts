import { z } from 'zod';
import { duration } from '../../config/duration-schema.js';

const DEFAULTS = {
  max_body_bytes: 4 * 1024 * 1024,
  max_samples_per_request: 10_000,
  max_measurements: 1_000,
  max_series_per_measurement: 10_000,
  max_series: 100_000,
  series_idle_expiry: 3_600_000,
  max_age: 7 * 86_400_000,
  max_future: 600_000,
};

/** Limits of POST /api/v1/ingest: what one request, and all pushes together, may make kpid hold. */
export const ingest = z
  .strictObject({
    /** Largest request body, bytes. */
    max_body_bytes: z.number().int().min(1024).default(DEFAULTS.max_body_bytes),
    max_samples_per_request: z.number().int().min(1).default(DEFAULTS.max_samples_per_request),
    /** Distinct measurement names pushed. */
    max_measurements: z.number().int().min(1).default(DEFAULTS.max_measurements),
    max_series_per_measurement: z.number().int().min(1).default(DEFAULTS.max_series_per_measurement),
    /** Distinct series over all measurements; about 200 bytes each. */
    max_series: z.number().int().min(1).default(DEFAULTS.max_series),
    /** A series not pushed for this long is forgotten and frees its place. */
    series_idle_expiry: duration({ min: 1000 }).default(DEFAULTS.series_idle_expiry),
    /** Oldest timestamp accepted, before now. */
    max_age: duration({ min: 1000 }).default(DEFAULTS.max_age),
    /** Latest timestamp accepted, after now (clock skew of the pushing system). */
    max_future: duration({ min: 1000 }).default(DEFAULTS.max_future),
  })
  .default(DEFAULTS);

export type IngestConfig = z.output<typeof ingest>;
