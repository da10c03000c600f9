import type { InfluxConnection } from '../core/influx-connection.js';
import { InfluxDB } from 'influx';
import type { FieldTypes } from './line-protocol-writer.js';

export interface DownsampleOptions {
  /** GROUP BY time() interval of the continuous query, ms. */
  readonly everyMs: number;
  /** Retention policy that receives the means. */
  readonly policy: string;
  /** How long the means are kept, ms (at least one hour). */
  readonly retentionMs: number;
}

export interface SetupOptions extends InfluxConnection {
  /** Retention policy kpid writes to, created (as the default) when missing. */
  readonly retentionPolicy?: { readonly name: string; readonly durationMs: number };
  readonly downsample?: DownsampleOptions;
  readonly timeoutMs?: number;
}

/** Name of the continuous query kpid owns; it is replaced at each start so config changes apply. */
export const DOWNSAMPLE_CQ = 'kpid_downsample';

export function adminClient(options: SetupOptions): InfluxDB {
  const url = new URL(options.url);
  return new InfluxDB({
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'https:' ? 443 : 8086)),
    protocol: url.protocol === 'https:' ? 'https' : 'http',
    database: options.database,
    ...(options.username !== undefined ? { username: options.username, password: options.password ?? '' } : {}),
    // The store retries on its own schedule; the pool must not retry or disable the host.
    pool: { maxRetries: 0, requestTimeout: options.timeoutMs ?? 10_000 },
  });
}

/**
 * Creates what kpid writes into when it is missing: the database, its
 * retention policy and the optional downsampling continuous query. Learns the
 * type of every field already stored, so kpid never writes a conflicting one.
 * Idempotent: it runs at start and again after InfluxDB comes back.
 */
export async function prepareDatabase(influx: InfluxDB, options: SetupOptions, types: FieldTypes): Promise<void> {
  const db = options.database;
  const names = await influx.getDatabaseNames();
  if (!names.includes(db)) await influx.createDatabase(db);

  const rp = options.retentionPolicy;
  if (rp) await ensurePolicy(influx, db, rp.name, rp.durationMs, true);

  const ds = options.downsample;
  if (ds) {
    await ensurePolicy(influx, db, ds.policy, ds.retentionMs, false);
    const source = rp ? `${quote(db)}.${quote(rp.name)}.` : `${quote(db)}..`;
    const query =
      `SELECT mean(*) INTO ${quote(db)}.${quote(ds.policy)}.:MEASUREMENT ` +
      `FROM ${source}/.*/ GROUP BY time(${Math.round(ds.everyMs / 1000)}s), *`;
    const cqs = await influx.showContinousQueries(db);
    if (cqs.some((cq: { name: string }) => cq.name === DOWNSAMPLE_CQ)) await influx.dropContinuousQuery(DOWNSAMPLE_CQ, db);
    await influx.createContinuousQuery(DOWNSAMPLE_CQ, query, db);
  }

  const raw = (await influx.queryRaw('SHOW FIELD KEYS', { database: db })) as RawFieldKeys;
  for (const series of raw.results?.[0]?.series ?? []) {
    for (const [field, type] of series.values ?? []) {
      if (type === 'integer' || type === 'float') types.learn(series.name, field, type);
    }
  }
}

interface RawFieldKeys {
  results?: { series?: { name: string; values?: [string, string][] }[] }[];
}

async function ensurePolicy(influx: InfluxDB, db: string, name: string, durationMs: number, isDefault: boolean) {
  const policies = await influx.showRetentionPolicies(db);
  const existing = policies.find((p) => p.name === name);
  const options = { database: db, duration: `${Math.round(durationMs / 1000)}s`, replication: 1, isDefault };
  if (!existing) {
    await influx.createRetentionPolicy(name, options);
  } else if (goDurationMs(existing.duration) !== durationMs || existing.default !== isDefault) {
    await influx.alterRetentionPolicy(name, options);
  }
}

/** InfluxDB reports durations the Go way: "720h0m0s", "0s" for infinite. */
export function goDurationMs(text: string): number {
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) {
    const k = unit === 'h' ? 3_600_000 : unit === 'm' ? 60_000 : unit === 's' ? 1000 : 1;
    ms += Number(n) * k;
  }
  return ms;
}

function quote(identifier: string): string {
  return `"${identifier.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
