import type { Aggregation } from './fields.js';

/**
 * The recent values of one field of one series: either the samples of the
 * last `overMs` (ending at the newest sample's time, so a late poll does not
 * shrink the window) or the last `samples`. A ring of Float64Arrays that
 * doubles when full, with running sums so sum, avg, count, rate and ratio
 * cost O(1) per sample; min, max and percentiles scan the (short) window.
 */
export interface Window {
  times: Float64Array;
  nums: Float64Array;
  /** Denominators, for ratio only. */
  dens: Float64Array | undefined;
  /** Index of the oldest value. */
  start: number;
  count: number;
  sum: number;
  sumDen: number;
  /** Pushes since the running sums were last recomputed exactly. */
  drift: number;
}

/** A one-sample window (`last`, the commonest) keeps its value in `sum`/`sumDen` and no arrays. */
const NONE = new Float64Array(0);

export function newWindow(ratio: boolean, samples = 0): Window {
  if (samples === 1) return { times: NONE, nums: NONE, dens: undefined, start: 0, count: 0, sum: 0, sumDen: 0, drift: 0 };
  // 16 slots hold a 5-minute window at a 30-second poll without growing.
  const cap = samples > 0 ? samples : 16;
  return {
    times: new Float64Array(cap), nums: new Float64Array(cap), dens: ratio ? new Float64Array(cap) : undefined,
    start: 0, count: 0, sum: 0, sumDen: 0, drift: 0,
  };
}

export function pushValue(w: Window, time: number, num: number, den: number, overMs: number, samples: number): void {
  if (samples === 1) {
    w.sum = num;
    w.sumDen = den;
    w.count = 1;
    return;
  }
  let cap = w.times.length;
  if (samples > 0 && w.count === samples) evictOldest(w, cap);
  else if (w.count === cap) cap = grow(w);
  let at = w.start + w.count;
  if (at >= cap) at -= cap;
  w.times[at] = time;
  w.nums[at] = num;
  if (w.dens) w.dens[at] = den;
  w.count++;
  w.sum += num;
  w.sumDen += den;
  if (samples === 0) {
    const oldest = time - overMs;
    while (w.count > 1 && w.times[w.start]! <= oldest) evictOldest(w, cap);
  }
  // Adding and subtracting floats drifts; recompute now and then.
  if (++w.drift >= 64) resum(w);
}

function evictOldest(w: Window, cap: number): void {
  const i = w.start;
  w.sum -= w.nums[i]!;
  if (w.dens) w.sumDen -= w.dens[i]!;
  w.start = i + 1 === cap ? 0 : i + 1;
  w.count--;
}

function grow(w: Window): number {
  const cap = w.times.length;
  const next = cap * 2;
  const copy = (a: Float64Array) => {
    const b = new Float64Array(next);
    for (let i = 0; i < w.count; i++) b[i] = a[(w.start + i) % cap]!;
    return b;
  };
  w.times = copy(w.times);
  w.nums = copy(w.nums);
  if (w.dens) w.dens = copy(w.dens);
  w.start = 0;
  return next;
}

function resum(w: Window): void {
  const cap = w.times.length;
  let s = 0;
  let d = 0;
  for (let k = 0, i = w.start; k < w.count; k++, i = i + 1 === cap ? 0 : i + 1) {
    s += w.nums[i]!;
    if (w.dens) d += w.dens[i]!;
  }
  w.sum = s;
  w.sumDen = d;
  w.drift = 0;
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
  const cap = w.times.length;
  if (cap === 0) {
    // One-sample window: every aggregation of one value is that value.
    if (agg === 'ratio') return w.sumDen > 0 && w.sumDen >= minVolume ? w.sum / w.sumDen : NaN;
    return agg === 'count' ? 1 : w.sum;
  }
  switch (agg) {
    case 'last': {
      const i = w.start + n - 1;
      return w.nums[i >= cap ? i - cap : i]!;
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
      const nums = w.nums;
      let m = agg === 'min' ? Infinity : -Infinity;
      for (let k = 0, i = w.start; k < n; k++, i = i + 1 === cap ? 0 : i + 1) {
        const v = nums[i]!;
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
  const cap = w.times.length;
  const n = w.count;
  if (scratch.length < n) scratch = new Float64Array(n * 2);
  const sorted = scratch;
  // Insertion sort into a reused buffer: windows are short, and allocating
  // a copy per sample would cost more than sorting it.
  for (let k = 0, i = w.start; k < n; k++, i = i + 1 === cap ? 0 : i + 1) {
    const v = w.nums[i]!;
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
  if (w.dens || w.times.length === 0 || w.count === 0) return newest;
  const cap = w.times.length;
  let since = newest;
  for (let k = w.count - 1; k >= 0; k--) {
    let i = w.start + k;
    if (i >= cap) i -= cap;
    if (!holds(w.nums[i]!)) break;
    since = w.times[i]!;
  }
  return since;
}
