import type { Env } from '../config/load.js';
import type { Notification } from '../core/alert.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';

/** How to run one kpid: `kpid run` and `kpid demo` differ only in these. */
export interface DaemonOptions {
  readonly configFile: string;
  readonly log: Logger;
  readonly env?: Env;
  /** Every component reads this clock (the demo's runs faster). */
  readonly clock?: Clock;
  /** Receives every notification as well as the channels (the demo prints them). */
  readonly onNotification?: (n: Notification) => void;
}
