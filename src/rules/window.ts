import type { Aggregation } from './fields.js';

/**
 * The recent values of one field of one series: either the samples of the
 * last `overMs` (ending at the newest sample's time, so a late poll does not
 * shrink the window) or the last `samples`. A ring that doubles when full,
 * with running sums so sum, avg, count, rate and ratio cost O(1) per sample;
 * min, max and percentiles scan the (short) window.
 *
 * The ring is one Float64Array of `cap` times, then `cap` values, then (for
 * a ratio) `cap` denominators: one typed array costs about 180 bytes of
 * headers besides its numbers, and at 10,000 interfaces the four ratio
 * windows of each were 12 arrays (bench/rules-memory.bench.mjs).
 */
export interface Window {
  ring: Float64Array;
  /** Slots per column of `ring`; 0 for a one-sample window. */
  cap: number;
  /** Whether `ring` has a column of denominators (ratio only). */
  readonly ratio: boolean;
  /** Slot of the oldest value. */
  start: number;
  count: number;
  sum: number;
  sumDen: number;
  /** Pushes since the running sums were last recomputed exactly. */
  drift: number;
}

/** A one-sample window (`last`, the commonest) keeps its value in `sum`/`sumDen` and no ring. */
const NONE = new Float64Array(0);

export function newWindow(ratio: boolean, samples = 0): Window {
  const ring = newRing(ratio, samples);
  return { ring, cap: ring.length / (ratio ? 3 : 2), ratio, start: 0, count: 0, sum: 0, sumDen: 0, drift: 0 };
}

/** The first ring of a window of the last `samples` values (0: a time window). */
export function newRing(ratio: boolean, samples: number): Float64Array {
  if (samples === 1) return NONE;
  // 16 slots hold a 5-minute window at a 30-second poll without growing.
  return new Float64Array((samples > 0 ? samples : 16) * (ratio ? 3 : 2));
}

export function pushValue(w: Window, time: number, num: number, den: number, overMs: number, samples: number): void {
  if (samples === 1) {
    w.sum = num;
    w.sumDen = den;
    w.count = 1;
    return;
  }
  if (samples > 0 && w.count === samples) evictOldest(w);
  else if (w.count === w.cap) grow(w);
  const cap = w.cap;
  const ring = w.ring;
  let at = w.start + w.count;
  if (at >= cap) at -= cap;
  ring[at] = time;
  ring[cap + at] = num;
  if (w.ratio) ring[2 * cap + at] = den;
  w.count++;
  w.sum += num;
  w.sumDen += den;
  if (samples === 0) {
    const oldest = time - overMs;
    while (w.count > 1 && ring[w.start]! <= oldest) evictOldest(w);
  }
  // Adding and subtracting floats drifts; recompute now and then.
  if (++w.drift >= 64) resum(w);
}

function evictOldest(w: Window): void {
  const i = w.start;
  const cap = w.cap;
  w.sum -= w.ring[cap + i]!;
  if (w.ratio) w.sumDen -= w.ring[2 * cap + i]!;
  w.start = i + 1 === cap ? 0 : i + 1;
  w.count--;
}

/** Doubles the ring, its values moved to the front in order. */
function grow(w: Window): void {
  const cap = w.cap;
  const next = cap * 2;
  const columns = w.ratio ? 3 : 2;
  const ring = new Float64Array(next * columns);
  for (let c = 0; c < columns; c++) {
    for (let k = 0, i = w.start; k < w.count; k++, i = i + 1 === cap ? 0 : i + 1) ring[c * next + k] = w.ring[c * cap + i]!;
  }
  w.ring = ring;
  w.cap = next;
  w.start = 0;
}

function resum(w: Window): void {
  const cap = w.cap;
  let s = 0;
  let d = 0;
  for (let k = 0, i = w.start; k < w.count; k++, i = i + 1 === cap ? 0 : i + 1) {
    s += w.ring[cap + i]!;
    if (w.ratio) d += w.ring[2 * cap + i]!;
  }
  w.sum = s;
  w.sumDen = d;
  w.drift = 0;
}

/** Time of the newest value a ring holds; -Infinity when empty or a one-sample window. */
export function newestTime(w: Window): number {
  if (w.count === 0 || w.cap === 0) return -Infinity;
  const i = w.start + w.count - 1;
  return w.ring[i >= w.cap ? i - w.cap : i]!;
}

/** Moves every time the ring holds by `ms` (a wall clock step, clock-step.ts). */
export function shiftWindow(w: Window, ms: number): void {
  const cap = w.cap;
  for (let i = 0; i < w.count && cap > 0; i++) w.ring[(w.start + i) % cap]! += ms;
}

/**
 * The window's aggregated value, or NaN when it has none: an empty window,
 * a count window not yet full, or a ratio whose summed denominator is below
 * `minVolume` or zero (not enough traffic: one call dropped out of two is
 * not a 50 % drop rate, and no calls is not 0 % nor 100 %).
 */
export function aggregate(w: Window, agg: Aggregation, overMs: number, samples = 0, minVolume = 0): number {
  const n = w.count;
  // A count window has no value until it is full: "the last 3 polls failed"
  // must not fire on the first failed poll.
  if (n === 0 || n < samples) return NaN;
  const cap = w.cap;
  if (cap === 0) {
    // One-sample window: every aggregation of one value is that value.
    if (agg === 'ratio') return w.sumDen > 0 && w.sumDen >= minVolume ? w.sum / w.sumDen : NaN;
    return agg === 'count' ? 1 : w.sum;
  }
  switch (agg) {
    case 'last': {
      const i = w.start + n - 1;
      return w.ring[cap + (i >= cap ? i - cap : i)]!;
    }
    case 'count':
      return n;
    case 'sum':
      return w.sum;
    case 'avg':
      return w.sum / n;
    case 'rate':
      return w.sum / (overMs / 1000);
    case 'ratio':
      return w.sumDen > 0 && w.sumDen >= minVolume ? w.sum / w.sumDen : NaN;
    case 'min':
    case 'max': {
      const ring = w.ring;
      let m = agg === 'min' ? Infinity : -Infinity;
      for (let k = 0, i = w.start; k < n; k++, i = i + 1 === cap ? 0 : i + 1) {
        const v = ring[cap + i]!;
        if (agg === 'min' ? v < m : v > m) m = v;
      }
      return m;
    }
    case 'p50':
      return quantile(w, 0.5);
    case 'p95':
      return quantile(w, 0.95);
    case 'p99':
      return quantile(w, 0.99);
  }
}

let scratch = new Float64Array(64);

/** Linear interpolation between closest ranks, as Prometheus' quantile_over_time. */
function quantile(w: Window, q: number): number {
  const cap = w.cap;
  const n = w.count;
  if (scratch.length < n) scratch = new Float64Array(n * 2);
  const sorted = scratch;
  // Insertion sort into a reused buffer: windows are short, and allocating
  // a copy per sample would cost more than sorting it.
  for (let k = 0, i = w.start; k < n; k++, i = i + 1 === cap ? 0 : i + 1) {
    const v = w.ring[cap + i]!;
    let j = k - 1;
    while (j >= 0 && sorted[j]! > v) {
      sorted[j + 1] = sorted[j]!;
      j--;
    }
    sorted[j + 1] = v;
  }
  const rank = q * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

/**
 * Time of the oldest sample in the newest unbroken run of samples that each
 * satisfy `holds` on their own: when the evidence for a window condition
 * began. `max(up) over 3 samples = 0` holds from the third failed poll, but
 * the device has been down since the first. Ratio windows, one-sample
 * windows and a newest sample that does not hold give `newest`.
 */
export function evidenceSince(w: Window, holds: (v: number) => boolean, newest: number): number {
  if (w.ratio || w.cap === 0 || w.count === 0) return newest;
  const cap = w.cap;
  let since = newest;
  for (let k = w.count - 1; k >= 0; k--) {
    let i = w.start + k;
    if (i >= cap) i -= cap;
    if (!holds(w.ring[cap + i]!)) break;
    since = w.ring[i]!;
  }
  return since;
}
