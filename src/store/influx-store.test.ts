import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import type { Sample } from '../core/sample.js';
import { defineStoreMetrics } from '../metrics/store-metrics.js';
import { InfluxStore } from './influx-store.js';
import { linesOf, type Batch } from './batch.js';
import type { LineWriter, WriteResult } from './influx-writer.js';

/** An InfluxDB stand-in: stores lines, or is down, or refuses any batch holding a line with "bad". */
class FakeInflux implements LineWriter {
  stored: string[] = [];
  writes = 0;
  down = false;
  async write(batch: Batch): Promise<WriteResult> {
    const lines = linesOf(batch);
    this.writes++;
    if (this.down) return { kind: 'unavailable', message: 'ECONNREFUSED' };
    if (lines.some((l) => l.includes('bad'))) return { kind: 'rejected', status: 400, message: 'unable to parse' };
    this.stored.push(...lines);
    return { kind: 'written' };
  }
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function sample(i: number, target = 'r1'): Sample {
  return { measurement: 'probe', tags: { target }, fields: { sent: 10, rtt_seconds: i / 1000 }, integerFields: ['sent'], time: 1_000 + i };
}

async function setup(opts: { batchSize?: number; spoolMaxBytes?: number; dir?: string; influx?: FakeInflux; maxQueuedBatches?: number } = {}) {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'kpid-spool-'));
  if (!opts.dir) dirs.push(dir);
  const clock = new FakeClock();
  const registry = new Registry();
  const metrics = defineStoreMetrics(registry);
  const influx = opts.influx ?? new FakeInflux();
  const store = new InfluxStore(
    { url: 'http://127.0.0.1:1', database: 'kpid', spoolDir: dir, batchSize: opts.batchSize ?? 3, flushIntervalMs: 1_000, retryMinMs: 1_000, retryMaxMs: 4_000, maxQueuedBatches: opts.maxQueuedBatches ?? 10, ...(opts.spoolMaxBytes ? { spoolMaxBytes: opts.spoolMaxBytes } : {}) },
    { clock, log: silentLogger(), metrics, writer: influx, prepare: async () => {} },
  );
  await store.start();
  const counter = async (name: string, label: string) =>
    (await registry.getSingleMetric(name)!.get()).values.find((v) => Object.values(v.labels).includes(label))?.value ?? 0;
  const idle = () => vi.waitFor(() => expect(store.status().queuedBatches).toBe(0), { timeout: 2_000, interval: 5 });
  return { dir, clock, registry, influx, store, counter, idle };
}

const times = (lines: string[]) => lines.map((l) => Number(l.split(' ').at(-1)));

describe('InfluxStore', () => {
  it('sends a batch as soon as it holds batch_size points, the rest when flush_interval passes', async () => {
    const { clock, influx, store } = await setup({ batchSize: 3 });
    store.write([0, 1, 2, 3, 4].map((i) => sample(i)));
    await vi.waitFor(() => expect(influx.stored).toHaveLength(3));
    expect(store.status().bufferedPoints).toBe(2);
    clock.advance(999);
    expect(store.status().bufferedPoints).toBe(2);
    clock.advance(1);
    await vi.waitFor(() => expect(influx.stored).toHaveLength(5));
    expect(influx.stored[0]).toBe('probe,target=r1 sent=10i,rtt_seconds=0 1000');
  });

  it('spools while InfluxDB is down and replays every point once, in order, when it returns', async () => {
    const { clock, influx, store, counter, registry } = await setup({ batchSize: 2 });
    influx.down = true;
    for (let i = 0; i < 10; i++) store.write([sample(i)]);
    await vi.waitFor(() => expect(store.status().spooledPoints).toBe(10));
    expect(store.status().reachable).toBe(false);
    expect((await registry.getSingleMetric('kpid_store_spool_bytes')!.get()).values[0]!.value).toBeGreaterThan(0);
    // Retries back off: 1 s, 2 s, 4 s, 4 s ... and write nothing while down.
    await clock.advanceAsync(1_000);
    await vi.waitFor(() => expect(influx.writes).toBe(2));
    influx.down = false;
    store.write([sample(10)]);
    store.flush();
    await clock.advanceAsync(2_000);
    await vi.waitFor(() => expect(influx.stored).toHaveLength(11));
    expect(times(influx.stored)).toEqual([...Array(11).keys()].map((i) => 1_000 + i));
    expect(store.status()).toMatchObject({ reachable: true, spooledPoints: 0, spoolBytes: 0 });
    expect(await counter('kpid_store_points_total', 'written')).toBe(11);
  });

  it('a burst beyond the memory queue overflows to the spool and still arrives in order, also across a failure', async () => {
    const { clock, influx, store } = await setup({ batchSize: 1, maxQueuedBatches: 2 });
    let failOnce = true;
    const write = influx.write.bind(influx);
    influx.write = async (lines) => {
      if (influx.stored.length === 3 && failOnce) {
        failOnce = false;
        return { kind: 'unavailable', message: 'HTTP 503' };
      }
      return write(lines);
    };
    for (let i = 0; i < 12; i++) store.write([sample(i)]);
    expect(store.status().spooledPoints).toBeGreaterThan(0);
    await vi.waitFor(() => expect(influx.stored).toHaveLength(3));
    // The 503 is answered asynchronously: only once it has been seen is the
    // store's retry timer on the fake clock, so move the clock until it has run.
    await vi.waitFor(() => expect(failOnce).toBe(false));
    await vi.waitFor(async () => {
      await clock.advanceAsync(1_000);
      expect(influx.stored).toHaveLength(12);
    });
    expect(times(influx.stored)).toEqual([...Array(12).keys()].map((i) => 1_000 + i));
  });

  it('a bad point is dropped alone, never its batch', async () => {
    const { influx, store, counter } = await setup({ batchSize: 8 });
    const batch = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => sample(i, i === 5 ? 'bad' : 'r1'));
    store.write(batch);
    await vi.waitFor(() => expect(influx.stored).toHaveLength(7));
    expect(influx.stored.some((l) => l.includes('bad'))).toBe(false);
    expect(await counter('kpid_store_dropped_points_total', 'rejected')).toBe(1);
  });

  it('beyond the spool bound the oldest batches are dropped and counted', async () => {
    const { clock, influx, store, counter } = await setup({ batchSize: 1, spoolMaxBytes: 5 * 50 });
    influx.down = true;
    for (let i = 0; i < 20; i++) store.write([sample(i)]);
    await vi.waitFor(() => expect(store.status().spooledPoints).toBeLessThanOrEqual(5));
    const kept = store.status().spooledPoints;
    expect(store.status().spoolBytes).toBeLessThanOrEqual(250);
    expect(await counter('kpid_store_dropped_points_total', 'spool_full')).toBe(20 - kept);
    influx.down = false;
    await clock.advanceAsync(4_000, 500);
    await vi.waitFor(() => expect(influx.stored).toHaveLength(kept));
    // The newest survive.
    expect(times(influx.stored)).toEqual([...Array(kept).keys()].map((i) => 1_000 + 20 - kept + i));
  });

  it('close() keeps what InfluxDB did not take in the spool, and the next start replays it', async () => {
    const influx = new FakeInflux();
    influx.down = true;
    const first = await setup({ batchSize: 100, influx });
    for (let i = 0; i < 5; i++) first.store.write([sample(i)]);
    const closing = first.store.close();
    await first.clock.advanceAsync(5_000, 100);
    await closing;
    expect(readdirSync(first.dir).filter((f) => f.endsWith('.lp'))).toHaveLength(1);

    influx.down = false;
    const second = await setup({ dir: first.dir, influx });
    await vi.waitFor(() => expect(influx.stored).toHaveLength(5));
    expect(readdirSync(first.dir)).toEqual([]);
    await second.store.close();
  });

  it('close() stops waiting for a hung InfluxDB after closeTimeoutMs and keeps the batch in the spool', async () => {
    const { clock, influx, store, dir } = await setup({ batchSize: 100 });
    influx.write = (_batch: Batch, signal?: AbortSignal) =>
      new Promise<WriteResult>((resolve) => signal!.addEventListener('abort', () => resolve({ kind: 'unavailable', message: 'write aborted' })));
    store.write([sample(1), sample(2)]);
    const closing = store.close();
    let closed = false;
    void closing.then(() => (closed = true));
    await clock.advanceAsync(4_900, 100);
    expect(closed).toBe(false);
    await clock.advanceAsync(100);
    await closing;
    expect(store.status().spooledPoints).toBe(2);
    expect(readdirSync(dir).filter((f) => f.endsWith('-2.lp'))).toHaveLength(1);
  });

  it('close() writes the buffered points when InfluxDB is up', async () => {
    const { influx, store } = await setup({ batchSize: 100 });
    store.write([sample(1), sample(2)]);
    await store.close();
    expect(influx.stored).toHaveLength(2);
    expect(store.status().spooledPoints).toBe(0);
  });

  it('samples with no finite field are counted as invalid, not sent', async () => {
    const { store, counter } = await setup();
    store.write([{ measurement: 'probe', tags: {}, fields: { rtt_seconds: NaN }, time: 1 }]);
    expect(await counter('kpid_store_dropped_points_total', 'invalid')).toBe(1);
  });
});
