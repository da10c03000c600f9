import { describe, expect, it } from 'vitest';
import { FakeClock, type Clock } from './clock.js';
import { ClockJumpWatch } from './clock-jumps.js';

describe('clock jump watch', () => {
  it.each([
    { steps: [7_200_000], expect: [{ ms: 7_200_000, direction: 'forward' }], name: 'a 2 h step forward is one forward jump' },
    { steps: [-3_600_000], expect: [{ ms: -3_600_000, direction: 'backward' }], name: 'a 1 h step back is one backward jump' },
    { steps: [5_000, -5_000], expect: [undefined, undefined], name: 'steps up to 5 s are drift' },
    { steps: [3_000, 3_000, 3_000], expect: [undefined, undefined, undefined], name: 'drift never adds up to a jump' },
    { steps: [0, 5_001], expect: [undefined, { ms: 5_001, direction: 'forward' }], name: 'just over 5 s is a jump' },
  ])('$name', ({ steps, expect: wanted }) => {
    const clock = new FakeClock();
    const watch = new ClockJumpWatch(clock);
    for (let i = 0; i < steps.length; i++) {
      clock.advance(1_000);
      clock.jump(steps[i]!);
      const got = watch.check();
      expect(got && { ms: got.ms, direction: got.direction }).toEqual(wanted[i]);
    }
    // Time passing alone is never a jump.
    clock.advance(3_600_000);
    expect(watch.check()).toBeUndefined();
  });

  it('a process descheduled between its readings of the two clocks is not a jump (6 s of demo time at speed 60)', () => {
    // Wall and monotonic run together; a reading preempted by `lag` sees monotonic time run on meanwhile.
    let t = 0;
    let lag = 0;
    const slow: Clock = {
      now: () => 1_700_000_000_000 + t,
      monotonic: () => (t += lag),
      setTimeout: () => ({ id: 0 }),
      clearTimeout: () => {},
    };
    const watch = new ClockJumpWatch(slow);
    const checks = [6_000, 0, 6_000, 0].map((l) => {
      lag = l;
      return watch.check();
    });
    expect(checks).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('fake timers wait monotonic time: a wall clock jump neither fires them nor holds them', () => {
    const clock = new FakeClock();
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.monotonic()), 10_000);
    clock.jump(7_200_000);
    clock.advance(9_999);
    expect(fired).toEqual([]);
    clock.jump(-10_800_000);
    clock.advance(1);
    expect(fired).toEqual([10_000]);
  });
});
