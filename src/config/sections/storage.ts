import { z } from 'zod';
import { duration } from '../duration-schema.js';

const SIZE_UNITS: Record<string, number> = {
  b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3,
};

/** A size in bytes, written as a number or `512MiB`, `1GB`, `64kB`. */
export const byteSize = z.union([
  z.number().int().min(1),
  z.string().transform((text, ctx) => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b|b)?\s*$/i.exec(text);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a size; write it like 268435456, 256MiB or 1GB` });
      return z.NEVER;
    }
    return Math.round(Number(m[1]) * SIZE_UNITS[(m[2] ?? 'b').toLowerCase()]!);
  }),
]);

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'letters, digits and _ only');

export const influxStorage = z.strictObject({
  url: z.string().url(),
  database: identifier.default('kpid'),
  /** How long raw points are kept; creates (or alters) `retention_policy` as the default policy. */
  retention: duration({ min: 3_600_000 }).optional(),
  /** Name of the policy `retention` creates. */
  retention_policy: identifier.default('kpid'),
  username: z.string().optional(),
  /** Write it as ${INFLUX_PASSWORD}. */
  password: z.string().optional(),
  /** Points per write; a batch is also sent when flush_interval has passed. */
  batch_size: z.number().int().min(1).max(100_000).default(5_000),
  flush_interval: duration({ min: 10 }).default(1_000),
  /** One write taking longer counts as InfluxDB unavailable (the batch is spooled). */
  timeout: duration({ min: 100 }).default(10_000),
  spool: z
    .strictObject({
      dir: z.string().min(1).default('data/spool'),
      /** Beyond this, the oldest spooled batches are dropped (kpid_store_dropped_points_total{reason="spool_full"}). */
      max_bytes: byteSize.default(256 * 1024 ** 2),
    })
    .default({ dir: 'data/spool', max_bytes: 256 * 1024 ** 2 }),
  /** Optional continuous query writing means every `every` into `policy`, kept for `retention`. */
  downsample: z
    .strictObject({
      every: duration({ min: 60_000 }).default(300_000),
      retention: duration({ min: 3_600_000 }),
      policy: identifier.default('downsampled'),
    })
    .optional(),
});

export const storage = z
  .strictObject({
    influx: influxStorage.optional(),
  })
  .default({});

export type InfluxStorageConfig = z.output<typeof influxStorage>;
