import { holds, type Comparison } from '../core/comparison.js';
import type { KpiDefinition } from '../core/kpi-catalogue.js';
import { DAY_MS, utcDay } from '../store/kpi-rollup.js';
import type { Status } from './report-model.js';

export function judge(target: Comparison, value: number | null | undefined): Status {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'no_data';
  return holds(target, value) ? 'pass' : 'fail';
}

/**
 * The value furthest on the wrong side of the target: the lowest for
 * "at least" targets, the highest for "at most", a failing one for
 * "equal"/"not equal". The headline of a KPI measured in several places.
 */
export function worstOf(target: Comparison, values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  switch (target.op) {
    case '>': case '>=': return Math.min(...values);
    case '<': case '<=': return Math.max(...values);
    default: return values.find((v) => !holds(target, v)) ?? values[0];
  }
}

/** Worst of several statuses: fail over no_data over pass... except that any pass with data beats an empty set. */
export function combine(statuses: readonly Status[]): Status {
  if (statuses.includes('fail')) return 'fail';
  if (statuses.includes('pass')) return 'pass';
  return 'no_data';
}

/**
 * The single figure a series of readings stands for over a period: counts
 * (incidents, leaks) as their highest reading, because each pushed reading
 * is the figure so far and any non-zero leak is a failure; everything else
 * (ratios, rates, seconds) as the mean of the readings.
 */
export function periodFigure(unit: KpiDefinition['unit'], r: { sum: number; count: number; max: number }): number {
  return unit === 'count' ? r.max : r.sum / r.count;
}

export function periodBasis(unit: KpiDefinition['unit']): string {
  return unit === 'count' ? 'highest reading' : 'mean of the readings';
}

/** UTC midnights of the days overlapping [from, to). */
export function daysOf(from: number, to: number): number[] {
  const out: number[] = [];
  for (let d = utcDay(from); d < to; d += DAY_MS) out.push(d);
  return out;
}

export function dayKey(day: number): string {
  return new Date(day).toISOString().slice(0, 10);
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
