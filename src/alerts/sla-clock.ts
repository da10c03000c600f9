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
 */
export class SlaClock {
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly outage: () => Outage,
    private readonly onStep: (step: SlaStep) => void,
  ) {}

  /** Every step of the outage, in time order. */
  static steps(o: Pick<Outage, 'warnAt' | 'recoveryTarget'>): SlaStep[] {
    return [
      ...o.warnAt.filter((w) => w < o.recoveryTarget).map((offset) => ({ kind: 'warning' as const, offset })),
      { kind: 'breach' as const, offset: o.recoveryTarget },
    ];
  }

  /** Milliseconds left before the recovery target (negative once missed). */
  remaining(now = this.clock.now()): number {
    const o = this.outage();
    return o.startedAt + o.recoveryTarget - (o.restoredAt ?? now);
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
    const now = this.clock.now();
    const started = this.outage().startedAt;
    for (const step of this.pending()) {
      if (started + step.offset > now) {
        this.timer = this.clock.setTimeout(() => this.run(), started + step.offset - now);
        return;
      }
      this.onStep(step);
      if (this.stopped) return;
    }
  }
}
