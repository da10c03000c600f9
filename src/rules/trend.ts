import { hourBuckets, type HourBuckets } from './buckets.js';

/**
 * Time to threshold (`trend:` in a rule): how long until a series, at the
 * trend of its last `over` (14 days), crosses its threshold. The engine
 * feeds it the rule's value at each sample; it answers the seconds left
 * (0 when the fitted level is already past the threshold, Infinity when the
 * trend runs away from it, NaN while it knows too little), and the rule
 * fires when that is at most its horizon.
 *
 * Memory: the window is kept as fixed buckets, the mean of each day by
 * default (buckets.ts): 14 buckets for 14 days, whatever the poll interval.
 *
 * The fit is Theil–Sen (the median of the slopes between every two
 * buckets) over daily means. Daily means take a daily cycle out exactly;
 * a least-squares line through hourly points does not: over T days a
 * daily swing of amplitude A tilts it by 6A/(πT²) per day, a tenth of a
 * one-point-a-day slope on a 14-day window with a ±10-point swing. Theil–Sen
 * ignores up to 29 % of odd buckets (an outage day, a backup weekend)
 * without trimming thresholds, and on 14 buckets it costs 91 slopes, once
 * a day per series. `bucket:` may be shorter (at most 120 buckets a window,
 * 7,140 slopes); then a daily cycle is the caller's to mind.
 */
export interface TrendSpec {
  /** The window fitted, ms. */
  readonly overMs: number;
  /** Bucket length, ms (1d). */
  readonly bucketMs: number;
  /** Fire when the crossing is this close, ms. */
  readonly horizonMs: number;
  /** No forecast until the buckets span at least this, ms. */
  readonly minSpanMs: number;
}

export interface TrendModel {
  readonly kind: 'trend';
  readonly spec: TrendSpec;
  readonly buckets: HourBuckets;
  /** Fitted line: level = intercept + slope × (t - origin), per ms; NaN before a fit. */
  slope: number;
  intercept: number;
  origin: number;
  /** Index of the newest closed bucket when the line was last fitted. */
  fittedAt: number;
  /** The fitted level at the last sample, for the alert text. */
  level: number;
}

export function newTrend(spec: TrendSpec): TrendModel {
  return {
    kind: 'trend', spec, buckets: hourBuckets(Math.ceil(spec.overMs / spec.bucketMs), spec.bucketMs),
    slope: NaN, intercept: NaN, origin: 0, fittedAt: -1, level: NaN,
  };
}

/**
 * Seconds until the fitted line reaches `threshold` going `up` (or down),
 * from time t. The value enters the current bucket; the line is refitted
 * when a bucket has closed since the last fit.
 */
export function timeToThreshold(m: TrendModel, t: number, value: number, threshold: number, up: boolean): number {
  if (Number.isNaN(value)) return NaN;
  const b = m.buckets;
  b.add(t, value);
  const closed = b.newestClosed(t);
  if (closed !== m.fittedAt) {
    fit(m, closed);
    m.fittedAt = closed;
  }
  if (Number.isNaN(m.slope)) return NaN;
  const level = m.intercept + m.slope * (t - m.origin);
  m.level = level;
  if (up ? level >= threshold : level <= threshold) return 0;
  const toward = up ? m.slope > 0 : m.slope < 0;
  if (!toward) return Infinity;
  return (threshold - level) / m.slope / 1000;
}

function fit(m: TrendModel, newest: number): void {
  const { xs, ys } = m.buckets.closedBuckets(newest);
  m.slope = NaN;
  // The span the buckets cover, from the start of the oldest to the end of the newest.
  if (xs.length < 3 || xs[xs.length - 1]! - xs[0]! + m.spec.bucketMs < m.spec.minSpanMs) return;
  const slopes: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    for (let j = i + 1; j < xs.length; j++) slopes.push((ys[j]! - ys[i]!) / (xs[j]! - xs[i]!));
  }
  const slope = median(slopes);
  m.origin = xs[0]!;
  m.slope = slope;
  m.intercept = median(ys.map((y, i) => y - slope * (xs[i]! - m.origin)));
}

export function median(values: readonly number[]): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
