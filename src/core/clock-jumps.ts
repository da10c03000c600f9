import type { Clock } from './clock.js';

/** Steps of the wall clock smaller than this are drift, not jumps (NTP slews those). */
export const CLOCK_JUMP_THRESHOLD_MS = 5_000;

export interface ClockJump {
  /** Signed size, ms: positive when the wall clock went forward. */
  readonly ms: number;
  readonly direction: 'forward' | 'backward';
  /** Wall clock after the jump. */
  readonly at: number;
}

/**
 * Notices steps of the wall clock: the wall clock minus the monotonic one
 * stays put while both run, and moves by the size of a step when the wall
 * clock is set. Each reader keeps its own watch and asks at the moments it
 * reads the time, so it sees a jump before it acts on the new wall time.
 * Drift under the threshold is absorbed (the baseline follows it).
 */
export class ClockJumpWatch {
  private offset: number;

  constructor(private readonly clock: Clock, private readonly thresholdMs = CLOCK_JUMP_THRESHOLD_MS) {
    this.offset = this.read().offset;
  }

  /** The jump since the last call, if any. */
  check(): ClockJump | undefined {
    const { wall, offset, uncertainty } = this.read();
    const ms = offset - this.offset;
    this.offset = offset;
    // A process descheduled between the readings is not a jump (at demo speed 60, 100 ms is 6 s).
    if (Math.abs(ms) - uncertainty <= this.thresholdMs) return undefined;
    return { ms, direction: ms > 0 ? 'forward' : 'backward', at: wall };
  }

  /** Wall minus monotonic, with the monotonic time that passed while reading it. */
  private read(): { wall: number; offset: number; uncertainty: number } {
    const before = this.clock.monotonic();
    const wall = this.clock.now();
    const after = this.clock.monotonic();
    return { wall, offset: wall - (before + after) / 2, uncertainty: after - before };
  }
}
