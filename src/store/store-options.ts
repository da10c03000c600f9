import type { InfluxConnection } from '../core/influx-connection.js';
import type { InfluxStorageConfig } from '../config/sections/storage.js';
import type { DownsampleOptions } from './influx-setup.js';

/** Settings of the InfluxDB writer. Defaults are those of `storage.influx` in config. */
export interface InfluxStoreOptions extends InfluxConnection {
  /** Policy written to, created as the database default when missing; none means the database default. */
  readonly retentionPolicy?: { readonly name: string; readonly durationMs: number };
  /** Points per write. Default 5,000. */
  readonly batchSize?: number;
  /** A non-empty buffer is written at least this often, ms. Default 1,000. */
  readonly flushIntervalMs?: number;
  /** One write taking longer counts as unavailable, ms. Default 10,000. */
  readonly timeoutMs?: number;
  /** Directory of the on-disk spool. */
  readonly spoolDir: string;
  /** Bound of the spool in bytes; beyond it the oldest batches are dropped. Default 256 MiB. */
  readonly spoolMaxBytes?: number;
  readonly downsample?: DownsampleOptions;
  /** First wait before retrying an unavailable InfluxDB, ms; doubles up to retryMaxMs. Default 1,000. */
  readonly retryMinMs?: number;
  /** Longest wait between retries, ms. Default 30,000. */
  readonly retryMaxMs?: number;
  /** Batches held in memory while one is being written; more go to the spool. Default 10 (50,000 points at the default batch size). */
  readonly maxQueuedBatches?: number;
  /** How long close() keeps writing before it leaves the rest in the spool, ms. Default 5,000. */
  readonly closeTimeoutMs?: number;
}

/** Options from the validated `storage.influx` section. */
export function influxStoreOptions(cfg: InfluxStorageConfig): InfluxStoreOptions {
  return {
    url: cfg.url,
    database: cfg.database,
    ...(cfg.retention !== undefined ? { retentionPolicy: { name: cfg.retention_policy, durationMs: cfg.retention } } : {}),
    ...(cfg.username !== undefined ? { username: cfg.username } : {}),
    ...(cfg.password !== undefined ? { password: cfg.password } : {}),
    batchSize: cfg.batch_size,
    flushIntervalMs: cfg.flush_interval,
    timeoutMs: cfg.timeout,
    spoolDir: cfg.spool.dir,
    spoolMaxBytes: cfg.spool.max_bytes,
    ...(cfg.downsample
      ? { downsample: { everyMs: cfg.downsample.every, policy: cfg.downsample.policy, retentionMs: cfg.downsample.retention } }
      : {}),
  };
}
