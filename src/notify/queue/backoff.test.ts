import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

const opts = { initial: 1_000, max: 60_000 };

describe('backoffDelay', () => {
  it.each([
    // attempt, with random()=0 (lowest), with random()=1 (highest)
    [1, 500, 1_000],
    [2, 1_000, 2_000],
    [3, 2_000, 4_000],
    [6, 16_000, 32_000],
    [7, 30_000, 60_000],
    [50, 30_000, 60_000],
    [10_000, 30_000, 60_000],
  ])('retry %i waits between %i and %i ms', (attempt, lo, hi) => {
    expect(backoffDelay(attempt, opts, () => 0)).toBe(lo);
    expect(backoffDelay(attempt, opts, () => 1)).toBe(hi);
  });

  it('jitter spreads retries of jobs that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(4, opts)));
    expect(delays.size).toBeGreaterThan(25);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(4_000), expect(d).toBeLessThanOrEqual(8_000);
  });
});
