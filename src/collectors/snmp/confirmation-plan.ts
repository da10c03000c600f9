/** What `confirmationPlan` needs of an SNMP target's settings, in ms. */
export interface ConfirmSettings {
  readonly timeout: number;
  readonly retries: number;
  readonly confirm?: { readonly attempts: number; readonly delay: number };
}

/**
 * How a poll that gets no answer is confirmed: the re-polls it makes and the
 * pause before each, fitted inside the poll's own time budget so that the
 * poll with all its confirmations ends before the target's next turn (an
 * overrun would skip that turn and halve how often a dead device is seen).
 */
export interface ConfirmationPlan {
  /** Re-polls after the first attempt got no answer. */
  readonly attempts: number;
  /** Pause before each re-poll, ms. */
  readonly delay: number;
  /** How long the whole poll may run before it is aborted, ms: the SNMP job's timeout. */
  readonly budget: number;
  /** Why the configured `confirm` was reduced to fit the interval; undefined when it fits as configured. */
  readonly clamped?: string;
}

/**
 * Time kept free at the end of each interval: the scheduler's abort grace
 * (200 ms) and the hand-off of the result must end before the next turn.
 * Never more than half the interval, for the sub-second ones tests use.
 */
export function intervalHeadroom(interval: number): number {
  return Math.min(interval / 2, Math.max(500, interval / 10));
}

/** net-snmp's own timers fire late on a loaded machine; the plan leaves them this much, ms. */
const TIMER_SLACK = 250;

/**
 * One attempt waits `timeout` for each of its `retries + 1` requests; the
 * worst case of a poll is every attempt timing out. The re-polls keep their
 * configured count and pause when that fits in the interval; otherwise the
 * pause shrinks first (the attempts stay evidence of a dead device, not of one
 * lost datagram), then the count, and `clamped` says why.
 */
export function confirmationPlan(interval: number, targetTimeout: number, s: ConfirmSettings): ConfirmationPlan {
  const limit = interval - intervalHeadroom(interval);
  const room = limit - TIMER_SLACK;
  const attemptMs = (s.retries + 1) * s.timeout;
  const wanted = s.confirm?.attempts ?? 0;
  const wantedDelay = s.confirm?.delay ?? 0;
  const worst = (attempts: number, delay: number) => (attempts + 1) * attemptMs + attempts * delay;
  const budgetFor = (attempts: number, delay: number) => Math.min(limit, Math.max(targetTimeout, worst(attempts, delay) + 500));

  if (worst(wanted, wantedDelay) <= room) return { attempts: wanted, delay: wantedDelay, budget: budgetFor(wanted, wantedDelay) };
  const attempts = Math.max(0, Math.min(wanted, Math.floor(room / attemptMs) - 1));
  const delay = attempts > 0 ? Math.min(wantedDelay, Math.floor((room - worst(attempts, 0)) / attempts)) : 0;
  const per = `${s.retries + 1} × ${s.timeout} ms per attempt`;
  const clamped = attemptMs > room
    ? `one SNMP attempt (${per}) does not fit in the ${interval} ms interval: no confirmation re-polls, and the poll is cut at ${limit} ms`
    : `${wanted} confirmation re-poll(s) ${wantedDelay} ms apart (${per}) do not fit in the ${interval} ms interval: ` +
      `${attempts} re-poll(s) ${delay} ms apart instead, so the poll ends before its next turn`;
  return { attempts, delay, budget: budgetFor(attempts, delay), clamped };
}
