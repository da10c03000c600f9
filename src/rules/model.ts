import { deviations, newBaseline, type BaselineModel } from './baseline.js';
import type { SavedBuckets } from './buckets.js';
import type { CompiledRule } from './rule.js';
import { newTrend, timeToThreshold, type TrendModel } from './trend.js';

/**
 * The per-series memory of a trend or baseline rule, between the engine and
 * trend.ts / baseline.ts. The engine calls `modelValue` with the rule's
 * value at each sample and compares what comes back with the rule's firing
 * condition: seconds to the threshold for a trend rule (fires at or below
 * the horizon), robust deviations for a baseline rule.
 */
export type RuleModel = TrendModel | BaselineModel;

export function newModel(rule: CompiledRule): RuleModel | undefined {
  if (rule.trend) return newTrend(rule.trend);
  if (rule.baseline) return newBaseline(rule.baseline);
  return undefined;
}

export function modelValue(m: RuleModel, rule: CompiledRule, t: number, value: number): number {
  if (m.kind === 'baseline') return deviations(m, t, value);
  const trend = rule.trend!;
  return timeToThreshold(m, t, value, trend.threshold, trend.up);
}

/** What the alert text may say besides $value: the fitted level, or the value and the usual one for this hour. */
export function modelFigures(m: RuleModel | undefined): { level?: number; baseline?: number; observed?: number } {
  if (!m) return {};
  return m.kind === 'trend' ? { level: m.level } : { baseline: m.baseline, observed: m.observed };
}

/** The model's buckets as the state store keeps them (JSON), tagged with its kind. */
export function saveModel(m: RuleModel): string {
  m.buckets.dirty = false;
  return JSON.stringify({ kind: m.kind, buckets: m.buckets.save() });
}

/** Loads a saved model into `m`; false when the text is not one of its kind and shape (the rule changed). */
export function loadModel(m: RuleModel, text: string): boolean {
  let saved: { kind?: unknown; buckets?: SavedBuckets };
  try {
    saved = JSON.parse(text) as typeof saved;
  } catch {
    return false;
  }
  if (saved.kind !== m.kind || typeof saved.buckets !== 'object' || saved.buckets === null) return false;
  if (!m.buckets.load(saved.buckets)) return false;
  // Refit and recompute the baseline at the next sample.
  if (m.kind === 'trend') m.fittedAt = -1;
  else m.hour = -1;
  return true;
}
