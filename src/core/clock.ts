import { performance } from 'node:perf_hooks';

/**
 * Time as kpid's components see it. Everything that reads the time or waits
 * takes a Clock, so rules, alert timers and the scheduler can be driven by a
 * FakeClock in tests with no sleeps.
 *
 * Two readings (docs/time.md): `now()` is the wall clock, for instants that
 * people read (an outage started at 10:02); `monotonic()` never jumps, for
 * durations (how long it has been down). The wall clock can be stepped by
 * NTP or an operator; timers wait monotonic time, like Node's own.
 */
export interface Clock {
  /** Wall clock, epoch milliseconds. May jump. */
  now(): number;
  /** Milliseconds since an arbitrary origin; never jumps. Measure durations with it. */
  monotonic(): number;
  /** Calls `fn` after `ms` milliseconds of monotonic time, whatever the wall clock does meanwhile. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export type TimerHandle = { readonly id: number } | NodeJS.Timeout;

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout: (fn, ms) => {
    // Node's timers run on the monotonic clock: a wall clock step neither
    // fires them early nor stalls them.
    const t = setTimeout(fn, Math.max(0, ms));
    // A pending poll or SLA timer must not keep a stopping process alive.
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

interface FakeTimer {
  id: number;
  /** Monotonic time it falls due. */
  at: number;
  fn: () => void;
}

/**
 * A clock that only moves when told to; timers fire in due order. `advance`
 * moves both readings; `jump` steps the wall clock alone, as NTP or an
 * operator setting the date would.
 */
export class FakeClock implements Clock {
  private wall: number;
  private mono = 0;
  private timers: FakeTimer[] = [];
  private nextId = 1;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.wall = start;
  }

  now(): number {
    return this.wall;
  }

  monotonic(): number {
    return this.mono;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { id: this.nextId++, at: this.mono + Math.max(0, ms), fn };
    this.timers.push(timer);
    return { id: timer.id };
  }

  clearTimeout(handle: TimerHandle): void {
    const id = (handle as { id: number }).id;
    this.timers = this.timers.filter((t) => t.id !== id);
  }

  /** Number of timers still waiting. */
  get pending(): number {
    return this.timers.length;
  }

  /** Steps the wall clock by `ms` (negative: back) without time passing; no timer fires. */
  jump(ms: number): void {
    this.wall += ms;
  }

  /** Moves time forward, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.mono + ms;
    for (;;) {
      const due = this.timers
        .filter((t) => t.at <= end)
        .sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.moveTo(Math.max(this.mono, due.at));
      due.fn();
    }
    this.moveTo(end);
  }

  /** Like advance, but lets promise continuations run between timers. */
  async advanceAsync(ms: number, step = 1): Promise<void> {
    const end = this.mono + ms;
    while (this.mono < end) {
      this.advance(Math.min(step, end - this.mono));
      await flushMicrotasks();
    }
  }

  private moveTo(mono: number): void {
    this.wall += mono - this.mono;
    this.mono = mono;
  }
}

export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r));
}
