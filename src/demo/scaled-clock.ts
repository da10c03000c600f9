import { performance } from 'node:perf_hooks';
import type { Clock, TimerHandle } from '../core/clock.js';

/**
 * Demo time: a clock that runs `speed` times faster than the wall clock.
 * now() = start + real elapsed × speed, and a timer for `ms` waits
 * ms ÷ speed real milliseconds. Given to the daemon, the collectors and the
 * simulated devices alike, so `for:` windows, SLA warnings and counter rates
 * all agree: at speed 60 one real second is one demo minute.
 */
export class ScaledClock implements Clock {
  private readonly realStart = performance.now();
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private nextId = 1;

  constructor(readonly speed: number, readonly start = Date.now()) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be a positive number, not ${speed}`);
  }

  now(): number {
    return this.start + (performance.now() - this.realStart) * this.speed;
  }

  /** Demo time never jumps: its monotonic reading runs at the same speed. */
  monotonic(): number {
    return (performance.now() - this.realStart) * this.speed;
  }

  /** Demo milliseconds since the clock was made. */
  elapsed(): number {
    return this.now() - this.start;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    const due = this.now() + Math.max(0, ms);
    const arm = () => {
      const t = setTimeout(() => {
        // Node may fire a timer a fraction of a millisecond early; at speed 60
        // that is tens of demo milliseconds. Callers rely on now() >= due.
        if (this.now() < due) return arm();
        this.timers.delete(id);
        fn();
      }, Math.max(0, (due - this.now()) / this.speed));
      // Like systemClock: a pending timer must not keep a stopping process alive.
      t.unref();
      this.timers.set(id, t);
    };
    arm();
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    const id = (handle as { id: number }).id;
    const t = this.timers.get(id);
    if (t) clearTimeout(t);
    this.timers.delete(id);
  }

  /** Timers still waiting. */
  get pending(): number {
    return this.timers.size;
  }
}
