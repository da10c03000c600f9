import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

/**
 * State store writes, run one after another in the order the changes
 * happened; a failed write is logged and the next one still runs.
 */
export class SerialWrites {
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly log?: Logger) {}

  run(write: () => Promise<void>): void {
    this.chain = this.chain.then(write).catch((err) => {
      this.log?.error({ err: errorMessage(err) }, 'state store write failed');
    });
  }

  /** Resolves when every write so far has reached the store. */
  flush(): Promise<void> {
    return this.chain;
  }
}
