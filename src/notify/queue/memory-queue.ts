import type { Clock, TimerHandle } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { DeliveryJob } from '../delivery.js';
import { isRetryable } from '../delivery.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import type { DeadLetter, DeliverFn, JobQueue, QueueListener } from './job-queue.js';

export interface MemoryQueueOptions {
  /** Attempts per job including the first. Default 20. */
  readonly attempts?: number;
  readonly backoff?: BackoffOptions;
  /** Jobs delivered at once. Default 8. */
  readonly concurrency?: number;
  /** Job ids remembered to drop duplicates. Default 50 000. */
  readonly rememberIds?: number;
  /** Dead letters kept. Default 1 000. */
  readonly keepDead?: number;
  readonly random?: () => number;
}

/**
 * The embedded queue: jobs live in this process, retries wait on the
 * injected clock. What is queued is lost if kpid stops; use BullMQ when that
 * matters.
 */
export class MemoryJobQueue implements JobQueue {
  private readonly seen = new Set<string>();
  private readonly ready: { job: DeliveryJob; attempt: number }[] = [];
  private readonly timers = new Map<TimerHandle, DeliveryJob>();
  private readonly dead: DeadLetter[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private deliver?: DeliverFn;
  private listener: QueueListener = {};
  private closed = false;
  private readonly opts: Required<MemoryQueueOptions>;

  constructor(private readonly clock: Clock, opts: MemoryQueueOptions = {}) {
    this.opts = {
      attempts: 20,
      backoff: { initial: 1_000, max: 300_000 },
      concurrency: 8,
      rememberIds: 50_000,
      keepDead: 1_000,
      random: Math.random,
      ...opts,
    };
  }

  async add(job: DeliveryJob): Promise<void> {
    if (this.closed || this.seen.has(job.id)) return;
    this.seen.add(job.id);
    if (this.seen.size > this.opts.rememberIds) this.seen.delete(this.seen.values().next().value!);
    this.ready.push({ job, attempt: 1 });
    this.pump();
  }

  async start(deliver: DeliverFn, listener: QueueListener = {}): Promise<void> {
    this.deliver = deliver;
    this.listener = listener;
    this.pump();
  }

  async deadLetters(): Promise<readonly DeadLetter[]> {
    return [...this.dead];
  }

  async backlog(): Promise<number> {
    return this.ready.length + this.timers.size + this.inFlight.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const h of this.timers.keys()) this.clock.clearTimeout(h);
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  private pump(): void {
    while (this.deliver && !this.closed && this.inFlight.size < this.opts.concurrency && this.ready.length) {
      const { job, attempt } = this.ready.shift()!;
      const run = this.run(job, attempt).finally(() => {
        this.inFlight.delete(run);
        this.pump();
      });
      this.inFlight.add(run);
    }
  }

  private async run(job: DeliveryJob, attempt: number): Promise<void> {
    try {
      await this.deliver!(job, attempt);
    } catch (err) {
      if (this.closed) return;
      if (isRetryable(err) && attempt < this.opts.attempts) {
        const delay = backoffDelay(attempt, this.opts.backoff, this.opts.random);
        this.listener.onRetry?.(job, attempt, delay, errorMessage(err));
        const h = this.clock.setTimeout(() => {
          this.timers.delete(h);
          this.ready.push({ job, attempt: attempt + 1 });
          this.pump();
        }, delay);
        this.timers.set(h, job);
        return;
      }
      const letter = { job, error: errorMessage(err), attempts: attempt, at: this.clock.now() };
      this.dead.push(letter);
      if (this.dead.length > this.opts.keepDead) this.dead.shift();
      this.listener.onDead?.(letter);
    }
  }
}
