import { describe, expect, it } from 'vitest';
import { BatchBuilder, batchOf, halves, linesOf } from './batch.js';

describe('a batch is the bytes InfluxDB receives, built once', () => {
  it('holds each added line followed by a line break, in order, and starts empty again once taken', () => {
    const b = new BatchBuilder();
    b.add('m,t=a v=1 1');
    b.add('m,t=b v=2 2');
    const batch = b.take();
    expect(batch.body.toString('utf8')).toBe('m,t=a v=1 1\nm,t=b v=2 2\n');
    expect(batch.points).toBe(2);
    expect(b.points).toBe(0);
    b.add('m v=3 3');
    expect(b.take().body.toString('utf8')).toBe('m v=3 3\n');
    // The first batch is a copy: building the next one did not overwrite it.
    expect(linesOf(batch)).toEqual(['m,t=a v=1 1', 'm,t=b v=2 2']);
  });

  it('grows past its first buffer without losing or mangling multi-byte text', () => {
    const b = new BatchBuilder();
    const lines = Array.from({ length: 3_000 }, (_, i) => `kpi,scope=Zürich-${i}-\u{1F4F6} value=${i} ${i}`);
    for (const l of lines) b.add(l);
    expect(linesOf(b.take())).toEqual(lines);
  });

  it('splits into halves on line boundaries, for finding a refused point', () => {
    const lines = ['a v=1 1', 'bb v=2 2', 'ccc v=3 3', 'd v=4 4', 'e v=5 5'];
    const [first, second] = halves(batchOf(lines));
    expect([linesOf(first), first.points]).toEqual([lines.slice(0, 3), 3]);
    expect([linesOf(second), second.points]).toEqual([lines.slice(3), 2]);
    const [one, rest] = halves(first);
    expect([linesOf(one), linesOf(rest)]).toEqual([lines.slice(0, 2), lines.slice(2, 3)]);
  });
});
