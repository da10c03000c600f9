import { Queue, UnrecoverableError, Worker, type Job, type RedisOptions } from 'bullmq';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { isRetryable, type DeliveryJob } from '../delivery.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import type { DeadLetter, DeliverFn, JobQueue, QueueListener } from './job-queue.js';
import { SentMarks, type MarkStore } from './sent-marks.js';

export interface BullMqQueueOptions {
  /** redis://[user:password@]host:port[/db] */
  readonly redis: string;
  /** Key prefix in Redis. Default `kpid`. */
  readonly prefix?: string;
  /** Queue name. Default `notifications`. */
  readonly name?: string;
  /** Attempts per job including the first. Default 20. */
  readonly attempts?: number;
  readonly backoff?: BackoffOptions;
  /** Jobs delivered at once by this process. Default 8. */
  readonly concurrency?: number;
  /** How long a sent job's id is kept to drop duplicates, ms. Default 24 h. */
  readonly keepSentFor?: number;
  /** How often the stall watchdog looks, ms. Default 5 s. */
  readonly watchdogInterval?: number;
  /** Jobs waiting and nothing taken for this long (Redis reachable): the worker is stalled, ms. Default 10 s. */
  readonly stallAfter?: number;
  /** An add that Redis has not confirmed within this long goes to the outbox, ms. Default 1 s. */
  readonly addTimeout?: number;
  /**
   * How long a job taken by a worker stays locked to it without a renewal, ms
   * (the worker renews at half this). A job whose lock lapsed is "stalled" and
   * runs again. Default 30 s (BullMQ's).
   */
  readonly lockDuration?: number;
  /** How often a worker looks for stalled jobs, ms. Default 30 s (BullMQ's). */
  readonly stalledInterval?: number;
  /** Called when the watchdog restarts a stalled worker. */
  readonly onRecovery?: () => void;
}

/**
 * The durable queue: BullMQ 6 on Redis. Follows BullMQ's production
 * guidance: workers' connections retry forever (maxRetriesPerRequest: null),
 * every client has an error listener, close() is graceful. While Redis is
 * down, add() keeps jobs in an in-process outbox and hands them over when
 * Redis is back, so alert evaluation never waits on Redis.
 *
 * BullMQ delivers at least once: a job whose lock lapsed before it was
 * recorded as completed (Redis killed or away past the lock) runs again.
 * SentMarks records each job id a channel accepted, so that second run
 * sends nothing: one alert, one mail.
 */
export class BullMqJobQueue implements JobQueue {
  private readonly queue: Queue;
  private worker?: Worker;
  private deliver?: DeliverFn;
  private listener: QueueListener = {};
  private readonly outbox = new Map<string, DeliveryJob>();
  private outboxTimer?: TimerHandle;
  private outboxFailures = 0;
  private watchdog?: TimerHandle;
  private lastActivity: number;
  private closed = false;
  private readonly connection: RedisOptions;
  private readonly o: Required<Omit<BullMqQueueOptions, 'onRecovery'>> & Pick<BullMqQueueOptions, 'onRecovery'>;

  constructor(opts: BullMqQueueOptions, private readonly clock: Clock, private readonly logger: Logger) {
    this.o = {
      prefix: 'kpid',
      name: 'notifications',
      attempts: 20,
      backoff: { initial: 1_000, max: 300_000 },
      concurrency: 8,
      keepSentFor: 86_400_000,
      watchdogInterval: 5_000,
      stallAfter: 10_000,
      addTimeout: 1_000,
      lockDuration: 30_000,
      stalledInterval: 30_000,
      ...opts,
    };
    this.connection = redisOptions(opts.redis);
    // The producer fails fast (the outbox holds what Redis could not take) instead of queuing commands forever.
    this.queue = new Queue(this.o.name, {
      prefix: this.o.prefix,
      connection: { ...this.connection, maxRetriesPerRequest: 1 },
    });
    this.queue.on('error', (err) => this.logger.warn({ err: errorMessage(err) }, 'notification queue: Redis error'));
    this.lastActivity = clock.now();
  }

  async add(job: DeliveryJob): Promise<void> {
    if (this.closed) return;
    try {
      // BullMQ waits for a connection before it sends; a Redis that is down must not hold up the caller.
      await withTimeout(this.push(job), this.o.addTimeout);
    } catch (err) {
      this.outbox.set(job.id, job);
      this.logger.warn({ job: job.id, outbox: this.outbox.size, err: errorMessage(err) }, 'Redis unavailable; notification kept in the outbox');
      this.scheduleOutbox();
    }
  }

  async start(deliver: DeliverFn, listener: QueueListener = {}): Promise<void> {
    this.deliver = deliver;
    this.listener = listener;
    this.worker = this.createWorker();
    this.scheduleWatchdog();
  }

  async deadLetters(): Promise<readonly DeadLetter[]> {
    const failed = await this.queue.getFailed(0, 999);
    return failed
      .filter((j): j is NonNullable<typeof j> => !!j)
      .map((j) => ({ job: j.data as DeliveryJob, error: j.failedReason ?? '', attempts: j.attemptsMade, at: j.finishedOn ?? 0 }))
      .sort((a, b) => a.at - b.at);
  }

  async backlog(): Promise<number> {
    const c = await this.queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized');
    return Object.values(c).reduce((a, b) => a + b, 0) + this.outbox.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.outboxTimer) this.clock.clearTimeout(this.outboxTimer);
    if (this.watchdog) this.clock.clearTimeout(this.watchdog);
    if (this.outbox.size) this.logger.error({ lost: this.outbox.size }, 'closing with notifications Redis never took');
    await withTimeout(this.worker?.close() ?? Promise.resolve(), 10_000).catch(() => this.worker?.close(true));
    await withTimeout(this.queue.close(), 5_000).catch(() => this.queue.disconnect());
  }

  private push(job: DeliveryJob): Promise<unknown> {
    return this.queue.add('deliver', job, {
      jobId: job.id,
      attempts: this.o.attempts,
      backoff: { type: 'kpid' },
      // Sent jobs stay a while so the same id added again is recognised and dropped.
      removeOnComplete: { age: Math.ceil(this.o.keepSentFor / 1000) },
      // Failed jobs are the dead letter.
      removeOnFail: { count: 10_000 },
    });
  }

  private scheduleOutbox(): void {
    if (this.outboxTimer || this.closed) return;
    const delay = backoffDelay(++this.outboxFailures, { initial: 500, max: 10_000 });
    this.outboxTimer = this.clock.setTimeout(() => {
      this.outboxTimer = undefined;
      void this.flushOutbox();
    }, delay);
  }

  private async flushOutbox(): Promise<void> {
    for (const [id, job] of this.outbox) {
      try {
        await withTimeout(this.push(job), this.o.addTimeout);
        this.outbox.delete(id);
      } catch {
        this.scheduleOutbox();
        return;
      }
    }
    this.outboxFailures = 0;
    this.logger.info('notification outbox handed to Redis');
  }

  private createWorker(): Worker {
    // The worker's own connection: it retries forever, so a mark waits out a Redis outage in order.
    // BullMQ types it as its own minimal client interface; it is an ioredis client.
    const marks = new SentMarks(() => worker.getBackend().client as unknown as Promise<MarkStore>, `${this.o.prefix}:${this.o.name}:sent:`, this.o.keepSentFor);
    const worker = new Worker(
      this.o.name,
      async (job: Job) => {
        this.lastActivity = this.clock.now();
        const data = job.data as DeliveryJob;
        if (await marks.wasSent(data.id)) {
          this.logger.info({ job: data.id }, 'notification already sent by an earlier run of this job; not sending it again');
          return;
        }
        try {
          await this.deliver!(data, job.attemptsMade + 1);
        } catch (err) {
          if (!isRetryable(err)) throw new UnrecoverableError(errorMessage(err));
          throw err;
        }
        await marks.markSent(data.id);
      },
      {
        prefix: this.o.prefix,
        connection: { ...this.connection, maxRetriesPerRequest: null },
        concurrency: this.o.concurrency,
        lockDuration: this.o.lockDuration,
        stalledInterval: this.o.stalledInterval,
        settings: { backoffStrategy: (attemptsMade: number) => backoffDelay(attemptsMade, this.o.backoff) },
      },
    );
    worker.on('error', (err) => this.logger.warn({ err: errorMessage(err) }, 'notification worker: Redis error'));
    worker.on('completed', () => (this.lastActivity = this.clock.now()));
    worker.on('failed', (job, err) => {
      this.lastActivity = this.clock.now();
      if (!job) return;
      const data = job.data as DeliveryJob;
      const dead = err instanceof UnrecoverableError || err.name === 'UnrecoverableError' || job.attemptsMade >= this.o.attempts;
      if (dead) this.listener.onDead?.({ job: data, error: err.message, attempts: job.attemptsMade, at: this.clock.now() });
      else this.listener.onRetry?.(data, job.attemptsMade, backoffDelay(job.attemptsMade, this.o.backoff, () => 0.5), err.message);
    });
    return worker;
  }

  private scheduleWatchdog(): void {
    if (this.closed) return;
    this.watchdog = this.clock.setTimeout(() => {
      void this.checkStalled().finally(() => this.scheduleWatchdog());
    }, this.o.watchdogInterval);
  }

  /**
   * BullMQ workers can sit forever on a dead blocking connection after a full
   * Redis restart: jobs wait, Redis answers, nothing is taken. Seen from here
   * that is "waiting > 0, no activity for stallAfter"; the cure is a new worker.
   */
  private async checkStalled(): Promise<void> {
    if (!this.worker || this.closed) return;
    let counts: Record<string, number>;
    try {
      counts = await withTimeout(this.queue.getJobCounts('waiting', 'active'), 2_000);
    } catch {
      return; // Redis down: nothing to judge yet
    }
    const idleFor = this.clock.now() - this.lastActivity;
    if (!counts.waiting || counts.active || idleFor < this.o.stallAfter) return;
    this.logger.warn({ waiting: counts.waiting, idle_ms: idleFor }, 'notification worker stalled; restarting it');
    const old = this.worker;
    this.worker = this.createWorker();
    this.lastActivity = this.clock.now();
    this.o.onRecovery?.();
    await withTimeout(old.close(true), 5_000).catch(() => undefined);
  }
}

export function redisOptions(url: string): RedisOptions {
  const u = new URL(url);
  const db = Number(u.pathname.replace(/^\//, '') || 0);
  return {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 6379),
    db: Number.isFinite(db) ? db : 0,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    tls: u.protocol === 'rediss:' ? {} : undefined,
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timeout')), ms);
    p.then((v) => (clearTimeout(t), resolve(v)), (e) => (clearTimeout(t), reject(e)));
  });
}
