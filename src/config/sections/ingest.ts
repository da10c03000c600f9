import { z } from 'zod';

/** Limits of POST /api/v1/ingest. */
export const ingest = z
  .strictObject({
    /** Largest request body, bytes. */
    max_body_bytes: z.number().int().min(1024).default(4 * 1024 * 1024),
    max_samples_per_request: z.number().int().min(1).default(10_000),
    max_series_per_measurement: z.number().int().min(1).default(10_000),
  })
  .default({ max_body_bytes: 4 * 1024 * 1024, max_samples_per_request: 10_000, max_series_per_measurement: 10_000 });
