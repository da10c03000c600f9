import { holds, type Comparison } from '../core/comparison.js';
import type { Aggregation } from './fields.js';
import { newest, type RingWindow } from './ring.js';

/**
 * The recent values of one field of one series: either the samples of the
 * last `overMs` (ending at the newest sample's time, so a late poll does not
 * shrink the window) or the last `samples`. They live in a ring (ring.ts)
 * shared with the series' other windows of the same span, which keeps this
 * window's running sums; a one-sample window (`last`, the commonest) keeps
 * its value in `sum`/`sumDen` and has no ring.
 */
export interface Window extends RingWindow {
  /** Whether the window has denominators (ratio only). */
  readonly ratio: boolean;
  /** A one-sample window: 1 once it holds a value. Ring windows count in their ring. */
  count: number;
}

/** A one-sample window takes a value. */
export function pushLast(w: Window, num: number, den: number): void {
  w.sum = num;
  w.sumDen = den;
  w.count = 1;
}

/** Time of the newest value a window holds; -Infinity when empty or a one-sample window. */
export function newestTime(w: Window): number {
  return w.ring === null ? -Infinity : newest(w.ring);
}

/**
 * The window's aggregated value, or NaN when it has none: an empty window,
 * a count window not yet full, or a ratio whose summed denominator is below
 * `minVolume` or zero (not enough traffic: one call dropped out of two is
 * not a 50 % drop rate, and no calls is not 0 % nor 100 %).
 */
export function aggregate(w: Window, agg: Aggregation, overMs: number, samples = 0, minVolume = 0): number {
  const r = w.ring;
  if (r === null) {
    // One-sample window: every aggregation of one value is that value.
    if (w.count === 0 || w.count < samples) return NaN;
    if (agg === 'ratio') return w.sumDen > 0 && w.sumDen >= minVolume ? w.sum / w.sumDen : NaN;
    return agg === 'count' ? 1 : w.sum;
  }
  const n = r.count;
  // A count window has no value until it is full: "the last 3 polls failed"
  // must not fire on the first failed poll.
  if (n === 0 || n < samples) return NaN;
  const cap = r.cap;
  const at = w.num * cap;
  switch (agg) {
    case 'last': {
      const i = r.start + n - 1;
      return r.data[at + (i >= cap ? i - cap : i)]!;
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
      const data = r.data;
      let m = agg === 'min' ? Infinity : -Infinity;
      for (let k = 0, i = r.start; k < n; k++, i = i + 1 === cap ? 0 : i + 1) {
        const v = data[at + i]!;
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
  const r = w.ring!;
  const cap = r.cap;
  const at = w.num * cap;
  const n = r.count;
  if (scratch.length < n) scratch = new Float64Array(n * 2);
  const sorted = scratch;
  // Insertion sort into a reused buffer: windows are short, and allocating
  // a copy per sample would cost more than sorting it.
  for (let k = 0, i = r.start; k < n; k++, i = i + 1 === cap ? 0 : i + 1) {
    const v = r.data[at + i]!;
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
 * satisfy `fire` on their own: when the evidence for a window condition
 * began. `max(up) over 3 samples = 0` holds from the third failed poll, but
 * the device has been down since the first. Ratio windows, one-sample
 * windows and a newest sample that does not hold give `newest`.
 */
export function evidenceSince(w: Window, fire: Comparison, newest: number): number {
  const r = w.ring;
  if (w.ratio || r === null || r.count === 0) return newest;
  const cap = r.cap;
  const at = w.num * cap;
  let since = newest;
  for (let k = r.count - 1; k >= 0; k--) {
    let i = r.start + k;
    if (i >= cap) i -= cap;
    if (!holds(fire, r.data[at + i]!)) break;
    since = r.data[i]!;
  }
  return since;
}
