import { describe, expect, it } from 'vitest';
import { Feed } from './engine-state.js';
import { rulesFrom } from './testing.js';

const [rule] = rulesFrom(`
- alert: ErrorsHigh
  select: { measurement: interface }
  value: { agg: ratio, numerator: in_errors, denominator: in_packets, over: 5m }
  when: "> 1%"
`);

describe('a feed keeps its ring columns and its count in one small integer', () => {
  it('starts as an empty one-sample window: value column 1, no denominator column, count 0', () => {
    const f = new Feed(rule!, undefined, 0);
    expect([f.num, f.den, f.count, f.ratio]).toEqual([1, -1, 0, true]);
  });

  it('each of num, den and count is set without changing the others', () => {
    const f = new Feed(rule!, undefined, 3);
    f.num = 6;
    f.den = 16_382;
    f.count = 1;
    expect([f.num, f.den, f.count, f.slot]).toEqual([6, 16_382, 1, 3]);
    f.den = -1;
    f.num = 16_383;
    expect([f.num, f.den, f.count]).toEqual([16_383, -1, 1]);
    f.count = 0;
    expect([f.num, f.den, f.count]).toEqual([16_383, -1, 0]);
  });

  it('a column beyond 14 bits is refused, not wrapped into its neighbour', () => {
    const f = new Feed(rule!, undefined, 0);
    expect(() => { f.num = 16_384; }).toThrow(RangeError);
    expect(() => { f.den = 16_383; }).toThrow(RangeError);
    expect([f.num, f.den]).toEqual([1, -1]);
  });
});
