import type { DeliveryJob } from '../delivery.js';

/** Delivers one job; throws a DeliveryError to ask for a retry or give up. */
export type DeliverFn = (job: DeliveryJob, attempt: number) => Promise<void>;

export interface DeadLetter {
  readonly job: DeliveryJob;
  readonly error: string;
  readonly attempts: number;
  /** Epoch ms. */
  readonly at: number;
}

export interface QueueListener {
  /** A job was given up on: it failed permanently or ran out of attempts. */
  onDead?(letter: DeadLetter): void;
  /** A failed attempt that will be retried after `delay` ms. */
  onRetry?(job: DeliveryJob, attempt: number, delay: number, error: string): void;
}

/**
 * Durable hand-off between deciding to notify and a channel accepting.
 * Two implementations: MemoryJobQueue (embedded default, lost on restart)
 * and BullMqJobQueue (Redis; survives restarts of kpid and of Redis).
 */
export interface JobQueue {
  /** Queues a job. A job whose id was already queued (or sent) is ignored. */
  add(job: DeliveryJob): Promise<void>;
  /** Starts delivering queued jobs with `deliver`. */
  start(deliver: DeliverFn, listener?: QueueListener): Promise<void>;
  /** Jobs given up on, newest last. */
  deadLetters(): Promise<readonly DeadLetter[]>;
  /** Jobs not yet delivered nor dead (waiting, delayed or in flight). */
  backlog(): Promise<number>;
  /** Stops taking jobs, waits for the ones in flight. */
  close(): Promise<void>;
}
