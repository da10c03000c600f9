/**
 * A fixed ring of time buckets (the mean of the values in each bucket
 * length, e.g. each hour) for the trend and baseline rules: memory per
 * series is set by the window, not by the poll interval. Bucket number
 * `n` covers [n × bucketMs, (n + 1) × bucketMs) and sits in slot
 * n mod size; a slot holding an older number is stale and reused.
 * 24 bytes a bucket: its number, sum and count share one Float64Array
 * (numbers, then sums, then counts; a count is exact there up to 2^53): a
 * typed array costs about 180 bytes of headers, and every interface has two
 * trend rules (bench/rules-memory.bench.mjs).
 */
export class HourBuckets {
  // Allocated at the first value: a series a rule binds but never feeds (its field filter fails) costs nothing.
  /** Bucket numbers in slots [0, size), their sums in [size, 2 × size), their counts in [2 × size, 3 × size). */
  ring = NONE;
  /** Something was added since the last save (the rule runner saves only these). */
  dirty = false;

  constructor(readonly size: number, readonly bucketMs: number) {}

  private allocate(): void {
    this.ring = new Float64Array(3 * this.size).fill(-1, 0, this.size);
  }

  add(t: number, value: number): void {
    if (this.ring.length === 0) this.allocate();
    const n = Math.floor(t / this.bucketMs);
    const slot = n % this.size;
    const ring = this.ring;
    if (ring[slot] !== n) {
      // A late sample for a bucket already reused by a newer one is dropped.
      if (ring[slot]! > n) return;
      ring[slot] = n;
      ring[this.size + slot] = 0;
      ring[2 * this.size + slot] = 0;
    }
    ring[this.size + slot] += value;
    ring[2 * this.size + slot]++;
    this.dirty = true;
  }

  /** The number of the bucket before the one `t` falls in: the newest that can no longer change. */
  newestClosed(t: number): number {
    return Math.floor(t / this.bucketMs) - 1;
  }

  /** Mean of bucket `n`, or NaN when it holds nothing (or was reused). */
  mean(n: number): number {
    const slot = n % this.size;
    const ring = this.ring;
    return n >= 0 && ring.length > 0 && ring[slot] === n && ring[2 * this.size + slot]! > 0 ? ring[this.size + slot]! / ring[2 * this.size + slot]! : NaN;
  }

  /** The buckets of the window ending with `newest` that hold values, oldest first: midpoint times and means. */
  closedBuckets(newest: number): { xs: number[]; ys: number[] } {
    const xs: number[] = [];
    const ys: number[] = [];
    for (let n = newest - this.size + 1; n <= newest; n++) {
      const y = this.mean(n);
      if (Number.isNaN(y)) continue;
      xs.push((n + 0.5) * this.bucketMs);
      ys.push(y);
    }
    return { xs, ys };
  }

  /** Compact form for the state store: the used buckets only. */
  save(): SavedBuckets {
    const n: number[] = [];
    const s: number[] = [];
    const c: number[] = [];
    for (let i = 0; i < this.ring.length / 3; i++) {
      if (this.ring[i]! < 0 || this.ring[2 * this.size + i] === 0) continue;
      n.push(this.ring[i]!);
      s.push(this.ring[this.size + i]!);
      c.push(this.ring[2 * this.size + i]!);
    }
    return { size: this.size, bucketMs: this.bucketMs, n, s, c };
  }

  /** Takes back what `save` wrote, if it was saved with the same shape; false (and nothing changed) if not. */
  load(saved: SavedBuckets): boolean {
    if (saved.size !== this.size || saved.bucketMs !== this.bucketMs) return false;
    if (!Array.isArray(saved.n) || saved.n.length !== saved.s.length || saved.n.length !== saved.c.length) return false;
    if (this.ring.length === 0) this.allocate();
    for (let i = 0; i < saved.n.length; i++) {
      const no: number = saved.n[i]!;
      if (!Number.isInteger(no) || no < 0 || !Number.isFinite(saved.s[i]!)) continue;
      const slot = no % this.size;
      if (this.ring[slot]! >= no) continue;
      this.ring[slot] = no;
      this.ring[this.size + slot] = saved.s[i]!;
      // As a Uint32Array took it (ToUint32), which these counts were.
      this.ring[2 * this.size + slot] = saved.c[i]! >>> 0;
    }
    return true;
  }
}

const NONE = new Float64Array(0);

export interface SavedBuckets {
  readonly size: number;
  readonly bucketMs: number;
  readonly n: readonly number[];
  readonly s: readonly number[];
  readonly c: readonly number[];
}

export function hourBuckets(size: number, bucketMs: number): HourBuckets {
  return new HourBuckets(size, bucketMs);
}
