import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { systemClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/logger.js';
import { DeliveryError, type DeliveryJob } from '../src/notify/delivery.js';
import { BullMqJobQueue } from '../src/notify/queue/bullmq-queue.js';
import { waitFor } from './helpers/webhook.js';

const prefix = `kpid-test-${Math.random().toString(36).slice(2, 10)}`;
const queues: BullMqJobQueue[] = [];

afterAll(async () => {
  await Promise.allSettled(queues.map((q) => q.close()));
  const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
  await redis.connect();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

function job(i: number, channel = 'mail'): DeliveryJob {
  return { id: `n-job${i}`, channel, recipient: `r${i}@example.net`, message: { subject: `s${i}`, text: '', html: '', sms: '', webhook: {} } };
}

function queue(redis: string, opts: Partial<ConstructorParameters<typeof BullMqJobQueue>[0]> = {}): BullMqJobQueue {
  const q = new BullMqJobQueue({ redis, prefix, name: `q${queues.length}`, backoff: { initial: 50, max: 200 }, ...opts }, systemClock, silentLogger());
  queues.push(q);
  return q;
}

describe('BullMQ job queue on the shared Redis', () => {
  it('a job id queued twice is delivered once, also after it was sent', async () => {
    const q = queue('redis://127.0.0.1:6379');
    const seen: string[] = [];
    await q.start(async (j) => void seen.push(j.id));
    await q.add(job(1));
    await q.add(job(1));
    await waitFor(() => seen.length === 1, 5_000, 'delivery');
    await q.add(job(1));
    await new Promise((r) => setTimeout(r, 500));
    expect(seen).toEqual(['n-job1']);
  });

  it('retryable failures are retried; permanent ones and exhausted ones land in the dead letter', async () => {
    const q = queue('redis://127.0.0.1:6379', { attempts: 3 });
    const tries = new Map<string, number>();
    const dead: string[] = [];
    await q.start(
      async (j) => {
        const n = (tries.get(j.id) ?? 0) + 1;
        tries.set(j.id, n);
        if (j.id === 'n-job1' && n < 3) throw new DeliveryError('mail', true, '451 later');
        if (j.id === 'n-job2') throw new DeliveryError('mail', false, '550 no such user');
        if (j.id === 'n-job3') throw new DeliveryError('mail', true, '421 busy');
      },
      { onDead: (l) => dead.push(l.job.id) },
    );
    for (const i of [1, 2, 3]) await q.add(job(i));
    await waitFor(() => dead.length === 2, 10_000, 'dead letters');
    expect(Object.fromEntries(tries)).toEqual({ 'n-job1': 3, 'n-job2': 1, 'n-job3': 3 });
    expect(dead.sort()).toEqual(['n-job2', 'n-job3']);
    expect((await q.deadLetters()).map((d) => [d.job.id, d.error]).sort()).toEqual([
      ['n-job2', '550 no such user'],
      ['n-job3', '421 busy'],
    ]);
  });
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A Redis of this test's own, with an append-only file so queued jobs survive its restart. */
class OwnRedis {
  private proc?: ChildProcess;
  readonly dir = mkdtempSync(join(tmpdir(), 'kpid-notify-redis-'));
  constructor(readonly port: number) {}

  async start(): Promise<void> {
    this.proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', this.dir], { stdio: 'ignore' });
    const probe = new Redis({ host: '127.0.0.1', port: this.port, lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: null });
    probe.on('error', () => {});
    await probe.connect().catch(() => undefined);
    await probe.ping();
    probe.disconnect();
  }

  /** SHUTDOWN: the append-only file is flushed, the process exits, every client connection breaks. */
  async stop(): Promise<void> {
    const proc = this.proc!;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

describe('BullMQ job queue across a Redis restart', () => {
  it('jobs queued before and during a full Redis restart are all delivered, none twice', async () => {
    const redis = new OwnRedis(await freePort());
    await redis.start();
    try {
      let recoveries = 0;
      const q = queue(`redis://127.0.0.1:${redis.port}`, { concurrency: 4, watchdogInterval: 1_000, stallAfter: 3_000, onRecovery: () => recoveries++ });
      const delivered: string[] = [];
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      await q.start(async (j) => {
        await gate;
        delivered.push(j.id);
      });
      for (let i = 0; i < 40; i++) await q.add(job(i));
      await waitFor(async () => (await q.backlog()) === 40, 5_000, 'jobs queued');

      await redis.stop();
      // Redis is down: alerts keep coming and must not be lost.
      for (let i = 40; i < 60; i++) await q.add(job(i));
      await new Promise((r) => setTimeout(r, 500));
      await redis.start();
      release();

      const back = Date.now();
      await waitFor(() => new Set(delivered).size === 60, 45_000, 'all 60 jobs delivered');
      console.log(`all delivered ${Date.now() - back} ms after Redis came back; worker restarts by the stall watchdog: ${recoveries}`);
      // Give a duplicate time to show up, and add a few ids again.
      for (let i = 0; i < 5; i++) await q.add(job(i));
      await new Promise((r) => setTimeout(r, 2_000));
      expect(delivered.length).toBe(60);
      expect(new Set(delivered).size).toBe(60);
      expect(await q.backlog()).toBe(0);
    } finally {
      await Promise.allSettled(queues.splice(0).map((q) => q.close()));
      await redis.stop().catch(() => undefined);
      redis.remove();
    }
  });
});
