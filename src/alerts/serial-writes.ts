import type { CounterLike } from '../core/recorders.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

export interface SerialWritesOptions {
  readonly log?: Logger;
  /** Writes that may wait for the store (Redis down) before new ones are dropped. Default 10 000. */
  readonly maxPending?: number;
  /** Counts each write dropped because the queue was full (kpid_state_writes_dropped_total). */
  readonly dropped?: CounterLike;
}

/**
 * State store writes, run one after another in the order the changes
 * happened; a failed write is logged and the next one still runs. While
 * the store is unreachable writes pile up here, so they are bounded: past
 * `maxPending` a new write is dropped and counted rather than letting an
 * outage of Redis grow kpid's memory without limit (issue 14 §8).
 */
export class SerialWrites {
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  private readonly maxPending: number;
  private warned = false;

  constructor(private readonly o: SerialWritesOptions = {}) {
    this.maxPending = o.maxPending ?? 10_000;
  }

  /** Queues `write`; false when the queue was full and the write was dropped. */
  run(write: () => Promise<void>): boolean {
    if (this.pending >= this.maxPending) {
      this.o.dropped?.inc({});
      if (!this.warned) this.o.log?.error({ pending: this.pending }, 'state store writes are backed up; dropping new ones until they drain');
      this.warned = true;
      return false;
    }
    this.pending++;
    this.chain = this.chain.then(write).catch((err) => {
      this.o.log?.error({ err: errorMessage(err) }, 'state store write failed');
    }).then(() => {
      this.pending--;
      if (this.pending === 0) this.warned = false;
    });
    return true;
  }

  /** Writes queued and not yet done. */
  get waiting(): number {
    return this.pending;
  }

  /** Resolves when every write so far has reached the store. */
  flush(): Promise<void> {
    return this.chain;
  }
}
