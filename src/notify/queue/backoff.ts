/** Retry timing for deliveries; defaults are those of notify.retry. */
export interface BackoffOptions {
  /** Delay before the first retry, ms. Default 1 s. */
  readonly initial: number;
  /** Ceiling of any single delay, ms. Default 5 min. */
  readonly max: number;
}

/**
 * Exponential backoff with "equal jitter": the n-th retry waits between half
 * and all of min(max, initial·2^(n-1)). The random half spreads retries of
 * many jobs that failed together (an SMTP server coming back must not get
 * them all in the same second); the fixed half keeps the growth.
 * `attempt` counts failures so far (1 = after the first failure).
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const exp = Math.min(opts.max, opts.initial * 2 ** Math.max(0, Math.min(attempt - 1, 52)));
  return Math.round(exp / 2 + random() * (exp / 2));
}
