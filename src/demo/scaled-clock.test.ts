import { describe, expect, it } from 'vitest';
import { ScaledClock } from './scaled-clock.js';

// The clock under test is made of wall time, so these tests wait briefly in real time.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ScaledClock', () => {
  it('runs demo time `speed` times faster than the wall clock', async () => {
    const clock = new ScaledClock(1000, Date.UTC(2026, 0, 1));
    // Each reading of the demo clock is bracketed by real readings, so the
    // bounds hold however long the machine takes between two statements.
    const r0 = performance.now();
    const demoStart = clock.now();
    const r1 = performance.now();
    await sleep(50);
    const r2 = performance.now();
    const demoElapsed = clock.now() - demoStart;
    const r3 = performance.now();
    // 1 ms of rounding in each demo reading is 1,000 ms of demo time at 1000x.
    expect(demoElapsed).toBeGreaterThanOrEqual((r2 - r1) * 1000 - 2000);
    expect(demoElapsed).toBeLessThanOrEqual((r3 - r0) * 1000 + 2000);
    expect(clock.start).toBe(Date.UTC(2026, 0, 1));
  });

  it('fires a timer after ms ÷ speed real milliseconds, never before its demo time', async () => {
    const clock = new ScaledClock(60);
    const due = clock.now() + 3_000; // 3 s of demo time: 50 ms real
    const realStart = performance.now();
    const firedAt = await new Promise<number>((resolve) => clock.setTimeout(() => resolve(clock.now()), 3_000));
    expect(firedAt).toBeGreaterThanOrEqual(due);
    expect(performance.now() - realStart).toBeGreaterThanOrEqual(49);
    // Fired at its demo time (50 ms real), not at 3 s of real time.
    expect(performance.now() - realStart).toBeLessThan(2_500);
    expect(clock.pending).toBe(0);
  });

  it('fires timers in due order and not once cleared', async () => {
    const clock = new ScaledClock(100);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b'), 2_000);
    clock.setTimeout(() => fired.push('a'), 1_000);
    const c = clock.setTimeout(() => fired.push('cleared'), 1_500);
    clock.clearTimeout(c);
    await sleep(60);
    expect(fired).toEqual(['a', 'b']);
    expect(clock.pending).toBe(0);
  });

  it.each([0, -1, NaN, Infinity])('refuses speed %s', (speed) => {
    expect(() => new ScaledClock(speed)).toThrow(RangeError);
  });
});
