import type { Clock, TimerHandle } from './clock.js';

/** Sweeps closer together than this cost more than they free. */
const MIN_SWEEP_MS = 1_000;

/**
 * Runs a sweep of silent series on the injected clock, every third of the
 * shortest series lifetime it has been told of: a series is then forgotten
 * between its lifetime and 4/3 of it. Each sweep looks at every series its
 * owner keeps once, so the cost per series is three visits per lifetime,
 * never work per sample. A lifetime of Infinity (series kept for ever)
 * schedules nothing.
 */
export class PeriodicSweep {
  private every = Infinity;
  private timer: TimerHandle | undefined;
  private running = false;

  constructor(private readonly clock: Clock, private readonly sweep: (now: number) => void) {}

  /** Series that live `lifetime` ms arrived: sweep at least every third of it. */
  note(lifetime: number): void {
    const every = Math.max(MIN_SWEEP_MS, lifetime / 3);
    if (!(every < this.every)) return;
    this.every = every;
    this.arm();
  }

  start(): void {
    this.running = true;
    this.arm();
  }

  stop(): void {
    this.running = false;
    this.disarm();
  }

  private arm(): void {
    this.disarm();
    if (!this.running || this.every === Infinity) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.sweep(this.clock.now());
      this.arm();
    }, this.every);
  }

  private disarm(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
