import { describe, expect, it } from 'vitest';
import { SerialWrites } from './serial-writes.js';

/** A write that stays pending until released, as one to an unreachable Redis does. */
function stalled() {
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  return { write: () => gate, release };
}

describe('SerialWrites', () => {
  it('runs writes one after another, in the order they were queued, past a failed one', async () => {
    const done: number[] = [];
    const w = new SerialWrites();
    w.run(async () => { await new Promise((r) => setTimeout(r, 5)); done.push(1); });
    w.run(async () => { throw new Error('store down'); });
    w.run(async () => { done.push(3); });
    await w.flush();
    expect(done).toEqual([1, 3]);
  });

  it('while the store hangs, keeps at most maxPending writes and counts every one it drops', async () => {
    const counted: number[] = [];
    const dropped = { inc: (_: object, v = 1) => void counted.push(v) };
    const w = new SerialWrites({ maxPending: 3, dropped });
    const redis = stalled();
    const ran: number[] = [];
    const accepted = [w.run(redis.write), ...[1, 2, 3, 4, 5].map((i) => w.run(async () => void ran.push(i)))];
    expect(accepted).toEqual([true, true, true, false, false, false]);
    expect(w.waiting).toBe(3);
    expect(counted.reduce((a, b) => a + b, 0)).toBe(3);
    redis.release();
    await w.flush();
    expect(ran).toEqual([1, 2]);
    // Drained: new writes are accepted again.
    expect(w.run(async () => void ran.push(6))).toBe(true);
    await w.flush();
    expect(ran).toEqual([1, 2, 6]);
    expect(w.waiting).toBe(0);
  });

  it('keeps 10,000 writes by default', () => {
    const w = new SerialWrites();
    const redis = stalled();
    const accepted = Array.from({ length: 10_001 }, () => w.run(redis.write));
    expect(accepted.filter(Boolean)).toHaveLength(10_000);
    redis.release();
  });
});
