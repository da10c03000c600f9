import { describe, expect, it } from 'vitest';
import { parseFpingCounts } from './fping-output.js';
import { roundTripStats } from './round-trips.js';

describe('round-trip statistics of one ICMP probe', () => {
  it.each([
    { rtts: [10, 12, 11, 15], loss: 0, min: 0.01, avg: 0.012, max: 0.015, jitter: (2 + 1 + 4) / 3 / 1000 },
    { rtts: [10, null, 20, null], loss: 0.5, min: 0.01, avg: 0.015, max: 0.02, jitter: 0.01 },
    { rtts: [7, null, null], loss: 2 / 3, min: 0.007, avg: 0.007, max: 0.007, jitter: undefined },
    { rtts: [null, null], loss: 1, min: undefined, avg: undefined, max: undefined, jitter: undefined },
  ])('$rtts → loss $loss', ({ rtts, loss, min, avg, max, jitter }) => {
    const s = roundTripStats(rtts);
    expect(s.sent).toBe(rtts.length);
    expect(s.lossRatio).toBeCloseTo(loss, 10);
    expect(s.min).toBe(min);
    expect(s.avg === undefined ? undefined : Number(s.avg.toFixed(9))).toBe(avg);
    expect(s.max).toBe(max);
    expect(s.jitter === undefined ? undefined : Number(s.jitter.toFixed(9))).toBe(jitter === undefined ? undefined : Number(jitter.toFixed(9)));
  });
});

describe("fping's -C summary", () => {
  it('gives per-packet round trips per host, with - as a lost packet', () => {
    const out = parseFpingCounts([
      '127.0.0.1 : 0.05 0.04 - 0.03',
      'ICMP Host Unreachable from 10.0.0.1 for ICMP Echo sent to 10.0.0.9',
      '10.0.0.9  : - - - -',
      '',
    ].join('\n'));
    expect(out.get('127.0.0.1')).toEqual([0.05, 0.04, null, 0.03]);
    expect(out.get('10.0.0.9')).toEqual([null, null, null, null]);
    expect(out.size).toBe(2);
  });
});
