import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../src/core/clock.js';
import { createLogger, silentLogger } from '../src/core/logger.js';
import type { Sample } from '../src/core/sample.js';
import { defineStoreMetrics } from '../src/metrics/store-metrics.js';
import { InfluxStore } from '../src/store/influx-store.js';
import type { InfluxStoreOptions } from '../src/store/store-options.js';
import { startInfluxd, type Influxd } from './helpers/influxd.js';
import { HoldingProxy } from './helpers/holding-proxy.js';

let influxd: Influxd;
const dirs: string[] = [];
// KPID_TEST_LOG=1 shows the store's own log while debugging a failure.
const testLog = process.env.KPID_TEST_LOG ? createLogger('json', 'debug') : silentLogger();

beforeAll(async () => {
  influxd = await startInfluxd();
});
afterAll(async () => {
  await influxd?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function newStore(database: string, extra: Partial<InfluxStoreOptions> = {}) {
  const spoolDir = mkdtempSync(join(tmpdir(), 'kpid-store-spool-'));
  dirs.push(spoolDir);
  const registry = new Registry();
  const metrics = defineStoreMetrics(registry);
  const store = new InfluxStore(
    { url: influxd.url, database, spoolDir, flushIntervalMs: 100, retryMinMs: 100, retryMaxMs: 400, timeoutMs: 2_000, ...extra },
    { clock: systemClock, log: testLog, metrics },
  );
  const counter = async (name: string, label: string) =>
    (await registry.getSingleMetric(name)!.get()).values.find((v) => Object.values(v.labels).includes(label))?.value ?? 0;
  /** Writes attempted so far, whatever their outcome. */
  const attempts = async () =>
    (await registry.getSingleMetric('kpid_store_write_duration_seconds')!.get()).values.find((v) => (v as { metricName?: string }).metricName?.endsWith('_count'))?.value ?? 0;
  return { store, counter, registry, attempts };
}

const NOW = Date.now() - 60_000;

function probe(i: number, target = 'core-1'): Sample {
  return {
    measurement: 'probe',
    tags: { target, site: 'bj-dc1', probe: 'icmp' },
    fields: { success: 1, rtt_seconds: 0.012 + i / 1e6, loss_ratio: 0, sent: 10, received: 10 },
    integerFields: ['success', 'sent', 'received'],
    time: NOW + i,
  };
}

async function count(db: string, where = ''): Promise<number> {
  const rows = await influxd.rows(`SELECT count(rtt_seconds) FROM probe ${where}`, db);
  return Number(rows[0]?.count ?? 0);
}

describe('InfluxStore against a real influxd 1.6', () => {
  it('creates the database, retention policy and downsampling query, and writes typed, tagged points', async () => {
    const { store } = newStore('typed', {
      retentionPolicy: { name: 'raw30d', durationMs: 30 * 86_400_000 },
      downsample: { everyMs: 300_000, policy: 'long', retentionMs: 400 * 86_400_000 },
    });
    await store.start();
    store.write([0, 1, 2].map((i) => probe(i)));
    store.write([
      { measurement: 'interface', tags: { target: 'core-1', interface: 'Gi0/1', site: 'bj-dc1' }, fields: { in_bps: 1.5e9, oper_up: 1 }, time: NOW },
    ]);
    await store.close();

    const policies = await influxd.rows('SHOW RETENTION POLICIES', 'typed');
    expect(policies).toContainEqual(expect.objectContaining({ name: 'raw30d', duration: '720h0m0s', default: true }));
    expect(policies).toContainEqual(expect.objectContaining({ name: 'long', duration: '9600h0m0s', default: false }));
    const cqs = await influxd.query('SHOW CONTINUOUS QUERIES');
    const typedCq = cqs.results[0]!.series!.find((s) => s.name === 'typed')!;
    expect(typedCq.values[0]![0]).toBe('kpid_downsample');

    const fields = await influxd.query('SHOW FIELD KEYS FROM probe', 'typed');
    const types = Object.fromEntries(fields.results[0]!.series![0]!.values as [string, string][]);
    expect(types).toEqual({ success: 'integer', sent: 'integer', received: 'integer', rtt_seconds: 'float', loss_ratio: 'float' });
    const rows = await influxd.rows(`SELECT * FROM probe WHERE target = 'core-1' AND site = 'bj-dc1'`, 'typed');
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatchObject({ time: NOW + 1, probe: 'icmp', rtt_seconds: 0.012001, sent: 10, success: 1 });
    const iface = await influxd.rows(`SELECT in_bps FROM "interface" WHERE "interface" = 'Gi0/1'`, 'typed');
    expect(iface).toEqual([{ time: NOW, in_bps: 1.5e9 }]);
  });

  it('loses nothing while influxd is stopped and restarted: every point is there once', async () => {
    const { store, counter, attempts } = newStore('outage', { batchSize: 50 });
    await store.start();
    let i = 0;
    const writeSome = (n: number) => {
      for (const end = i + n; i < end; i++) store.write([probe(i)]);
    };
    writeSome(100);
    await vi.waitFor(async () => expect(await count('outage')).toBe(100), { timeout: 5_000 });

    await influxd.pause();
    writeSome(500);
    await vi.waitFor(() => expect(store.status().spooledPoints).toBe(500), { timeout: 5_000 });
    expect(store.status().reachable).toBe(false);
    // Stay down through several failed retries (100 ms doubling to 400 ms).
    const failedSoFar = await attempts();
    await vi.waitFor(async () => expect(await attempts()).toBeGreaterThanOrEqual(failedSoFar + 4), { timeout: 5_000 });
    writeSome(250); // still down: these queue behind the spool
    await vi.waitFor(() => expect(store.status().spooledPoints).toBe(750), { timeout: 5_000 });

    await influxd.start();
    writeSome(150);
    await vi.waitFor(() => expect(store.status()).toMatchObject({ spooledPoints: 0, bufferedPoints: 0, reachable: true }), { timeout: 10_000 });
    await store.close();

    expect(await count('outage')).toBe(1_000);
    const distinct = await influxd.rows('SELECT count(distinct(rtt_seconds)) FROM probe', 'outage');
    expect(distinct[0]!.count).toBe(1_000);
    expect(await counter('kpid_store_points_total', 'written')).toBe(1_000);
    expect(await counter('kpid_store_dropped_points_total', 'spool_full')).toBe(0);
  });

  it.each([
    ['influxd stored the batch but its answer never came back', 'holding'],
    ['the batch never reached influxd', 'stalling'],
  ] as const)('influxd killed (SIGKILL) with a batch in flight (%s): after its restart every point is stored exactly once', async (_case, mode) => {
    // InfluxDB keys a point by series and timestamp, and a second write of the same key overwrites
    // the first: resending a batch InfluxDB already took is harmless only if the resent points are
    // the same points. Each point here has its own timestamp and a sequence number as a field, so a
    // point lost shows as a missing seq and a point stored twice (resent under another timestamp or
    // series) as an extra one.
    const proxy = new HoldingProxy(influxd.port);
    await proxy.start();
    const db = `crash_${mode}`;
    const { store, counter } = newStore(db, { url: proxy.url, batchSize: 100, timeoutMs: 60_000 });
    const numbered = (seq: number): Sample =>
      ({ measurement: 'delivery', tags: { target: 'core-1' }, fields: { seq }, integerFields: ['seq'], time: NOW + seq });
    const writeSeq = (from: number, to: number) => {
      for (let seq = from; seq < to; seq++) store.write([numbered(seq)]);
    };
    const stored = async () => Number((await influxd.rows('SELECT count(seq) FROM delivery', db))[0]?.count ?? 0);
    try {
      await store.start();
      writeSeq(0, 200);
      await vi.waitFor(async () => expect(await stored()).toBe(200), { timeout: 10_000 });

      proxy[mode] = true;
      writeSeq(200, 300);
      if (mode === 'holding') await vi.waitFor(async () => expect(await stored()).toBe(300), { timeout: 10_000 });
      else await vi.waitFor(() => expect(proxy.stalledRequests).toBe(1), { timeout: 10_000 });
      expect(store.status().reachable).toBe(true); // still waiting for the answer
      await influxd.crash();
      await vi.waitFor(() => expect(store.status().reachable).toBe(false), { timeout: 10_000 });
      expect(proxy.timesSent(/seq=(\d+)i/g).get('250')).toBe(mode === 'holding' ? 1 : undefined);
      writeSeq(300, 400); // written while influxd is dead

      await influxd.start();
      proxy.release();
      await vi.waitFor(() => expect(store.status()).toMatchObject({ spooledPoints: 0, bufferedPoints: 0, queuedBatches: 0, reachable: true }), { timeout: 20_000 });
      await store.close();

      // Every point is stored once: none missing, none twice.
      const [all] = await influxd.rows('SELECT count(seq) AS points, count(distinct(seq)) AS distinct_seq, sum(seq) AS seq_sum, min(seq), max(seq) FROM delivery', db);
      expect(all).toMatchObject({ points: 400, distinct_seq: 400, seq_sum: (399 * 400) / 2, min: 0, max: 399 });
      // And the case happened: the batch in flight went out again after the restart.
      const sends = proxy.timesSent(/seq=(\d+)i/g);
      for (let seq = 200; seq < 300; seq++) expect(sends.get(String(seq)) ?? 0, `seq ${seq} sent`).toBeGreaterThanOrEqual(mode === 'holding' ? 2 : 1);
      const series = await influxd.query('SHOW SERIES FROM delivery', db);
      expect(series.results[0]!.series![0]!.values).toEqual([['delivery,target=core-1']]);
      expect(await counter('kpid_store_dropped_points_total', 'spool_full')).toBe(0);
    } finally {
      await store.close();
      await proxy.stop();
    }
  });

  it('a bad point is dropped alone: beyond retention, or a field another writer made a string', async () => {
    const { store, counter } = newStore('badpoints', { retentionPolicy: { name: 'short', durationMs: 3_600_000 }, batchSize: 1_000 });
    await store.start();
    // Another writer got there first with a string field.
    const other = await fetch(`${influxd.url}/write?db=badpoints&rp=short&precision=ms`, {
      method: 'POST',
      body: `voice,site=bj call_attempts="many" ${NOW}`,
    });
    expect(other.status).toBe(204);

    const batch: Sample[] = [];
    for (let i = 0; i < 100; i++) batch.push(probe(i));
    batch[30] = { ...probe(30), time: 1_000 }; // 1970: far beyond the one-hour policy
    batch.push({ measurement: 'voice', tags: { site: 'sh' }, fields: { call_attempts: 120 }, integerFields: ['call_attempts'], time: NOW });
    store.write(batch);
    await store.close();

    expect(await count('badpoints')).toBe(99);
    expect(await count('badpoints', 'WHERE time < 1h')).toBe(0);
    expect(await counter('kpid_store_dropped_points_total', 'rejected')).toBe(2);
    expect(await counter('kpid_store_points_total', 'written')).toBe(99);
  });

  it('a field keeps the type the database already holds, so kpid never causes a type conflict', async () => {
    // Another writer made probe.sent a float before kpid started.
    await influxd.query('CREATE DATABASE seeded');
    const raw = await fetch(`${influxd.url}/write?db=seeded&precision=ms`, { method: 'POST', body: `probe,target=x sent=1 ${NOW - 1}` });
    expect(raw.status).toBe(204);
    const { store, counter } = newStore('seeded', { batchSize: 1_000 });
    await store.start();
    store.write([0, 1, 2, 3, 4].map((i) => probe(i)));
    await store.close();
    expect(await count('seeded', "WHERE target = 'core-1'")).toBe(5);
    expect(await counter('kpid_store_dropped_points_total', 'rejected')).toBe(0);
    const fields = await influxd.query('SHOW FIELD KEYS FROM probe', 'seeded');
    expect(fields.results[0]!.series![0]!.values).toContainEqual(['sent', 'float']);
  });
});
