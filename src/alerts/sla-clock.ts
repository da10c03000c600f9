import type { Clock, TimerHandle } from '../core/clock.js';
import type { Outage } from './state/state-store.js';

/** One step of an outage's recovery clock: a warning at `offset` after start, or the breach at the target. */
export interface SlaStep {
  readonly kind: 'warning' | 'breach';
  /** Milliseconds after the outage started. */
  readonly offset: number;
}

/**
 * The recovery clock of one open outage (plan 3.2.3 / 5.3.4: an interruption
 * must end within 30 minutes). It runs from the outage's true start, not from
 * when kpid noticed or restarted: steps already due when it starts (kpid was
 * down) are reported at once, in order; each unsent step is reported once.
 * `onStep` decides whether to notify (through the store's exactly-once gate).
 *
 * Time down is real elapsed time (docs/time.md): the wall clock is read once,
 * when the clock starts, to learn how long ago the outage began; from then on
 * the monotonic clock counts, so a wall clock step neither breaches an
 * outage early nor holds its breach back.
 */
export class SlaClock {
  private timer: TimerHandle | undefined;
  private stopped = false;
  /** Monotonic reading at the outage's start. */
  private readonly origin: number;

  constructor(
    private readonly clock: Clock,
    private readonly outage: () => Outage,
    private readonly onStep: (step: SlaStep) => void,
  ) {
    this.origin = monotonicOrigin(clock, outage().startedAt);
  }

  /** Every step of the outage, in time order. */
  static steps(o: Pick<Outage, 'warnAt' | 'recoveryTarget'>): SlaStep[] {
    return [
      ...o.warnAt.filter((w) => w < o.recoveryTarget).map((offset) => ({ kind: 'warning' as const, offset })),
      { kind: 'breach' as const, offset: o.recoveryTarget },
    ];
  }

  /** Real milliseconds the outage has been open. */
  elapsed(): number {
    return this.clock.monotonic() - this.origin;
  }

  /**
   * The outage's own "now": its start plus the real time since. Equal to the
   * wall clock until the wall clock jumps; durations and the time left are
   * taken against this.
   */
  now(): number {
    return this.outage().startedAt + this.elapsed();
  }

  /** Milliseconds left before the recovery target (negative once missed). */
  remaining(): number {
    const o = this.outage();
    return o.startedAt + o.recoveryTarget - (o.restoredAt ?? this.now());
  }

  start(): void {
    this.stopped = false;
    this.run();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private pending(): SlaStep[] {
    const o = this.outage();
    return SlaClock.steps(o).filter((s) => (s.kind === 'breach' ? !o.breached : !o.warningsSent.includes(s.offset)));
  }

  private run(): void {
    this.timer = undefined;
    if (this.stopped) return;
    const elapsed = this.elapsed();
    for (const step of this.pending()) {
      if (step.offset > elapsed) {
        this.timer = this.clock.setTimeout(() => this.run(), step.offset - elapsed);
        return;
      }
      this.onStep(step);
      if (this.stopped) return;
    }
  }
}

/**
 * The monotonic reading at wall instant `startedAt`, judged now: the one
 * moment the wall clock is trusted for an open outage's age. Never in the
 * future (a start stamped ahead of our clock began now).
 */
export function monotonicOrigin(clock: Clock, startedAt: number): number {
  return clock.monotonic() - Math.max(0, clock.now() - startedAt);
}
