import { HourBuckets } from './buckets.js';
import { median } from './trend.js';

const HOUR = 3_600_000;
const WEEK_HOURS = 168;

/**
 * Seasonal baseline (`baseline:` in a rule): what is usual for this hour of
 * the week, from the same hour in each of the last N weeks: their median,
 * and their spread as 1.4826 × MAD (a standard deviation for normal data,
 * unmoved by one odd week). The engine feeds it the rule's value at each
 * sample; it answers how many robust deviations the value is from the
 * baseline (signed), or NaN while fewer than `minWeeks` weeks are known.
 * A weekly pattern is in the baseline, so it alone does not fire.
 *
 * Memory: the hourly means of the last N weeks and this hour, a ring of
 * 168 × N + 1 buckets of 20 bytes (buckets.ts): 13.5 kB at N = 4,
 * 26.9 kB at N = 8, per series and rule (docs/rules.md has the table).
 */
export interface BaselineSpec {
  readonly weeks: number;
  /** Weeks of the same hour needed before judging. */
  readonly minWeeks: number;
  /** The least spread, in the value's units, so a flat history does not make every wobble infinite deviations. */
  readonly minSpread: number;
}

export interface BaselineModel {
  readonly kind: 'baseline';
  readonly spec: BaselineSpec;
  readonly buckets: HourBuckets;
  /** The hour the cached median and spread are for. */
  hour: number;
  /** Median of the same hour in past weeks (NaN: too few weeks). */
  baseline: number;
  spread: number;
  /** The last value judged, for the alert text. */
  observed: number;
}

export function newBaseline(spec: BaselineSpec): BaselineModel {
  return { kind: 'baseline', spec, buckets: new HourBuckets(WEEK_HOURS * spec.weeks + 1, HOUR), hour: -1, baseline: NaN, spread: NaN, observed: NaN };
}

/** Robust deviations of `value` at `t` from the baseline for its hour of the week (signed), or NaN. */
export function deviations(m: BaselineModel, t: number, value: number): number {
  if (Number.isNaN(value)) return NaN;
  m.buckets.add(t, value);
  m.observed = value;
  const hour = Math.floor(t / HOUR);
  if (hour !== m.hour) {
    m.hour = hour;
    usualFor(m, hour);
  }
  if (Number.isNaN(m.baseline)) return NaN;
  return (value - m.baseline) / m.spread;
}

function usualFor(m: BaselineModel, hour: number): void {
  const past: number[] = [];
  for (let k = 1; k <= m.spec.weeks; k++) {
    const y = m.buckets.mean(hour - k * WEEK_HOURS);
    if (!Number.isNaN(y)) past.push(y);
  }
  if (past.length < m.spec.minWeeks) {
    m.baseline = NaN;
    m.spread = NaN;
    return;
  }
  const mid = median(past);
  const mad = median(past.map((y) => Math.abs(y - mid)));
  m.baseline = mid;
  // 1 % of the level as a last floor: four identical weeks would otherwise make any change infinite deviations.
  m.spread = Math.max(1.4826 * mad, m.spec.minSpread, Math.abs(mid) * 0.01, 1e-12);
}
