import type { Comparison } from '../core/comparison.js';
import { formatDuration } from '../core/duration.js';
import type { BaselineSpec } from './baseline.js';
import type { CompiledRule, RuleSpec } from './rule.js';

const DAY = 86_400_000;
/** Theil–Sen compares every two buckets: 120 buckets are 7,140 slopes. */
const MAX_BUCKETS = 120;

/**
 * The `trend:` and `baseline:` keys of a rule (docs/rules.md, "Trends and
 * baselines"), checked and compiled. A trend rule keeps its threshold (from
 * kpi: or when:) for the forecast and fires on the seconds left instead;
 * a baseline rule's when: compares robust deviations.
 */
export function compileModel(spec: RuleSpec, fire: Comparison | undefined, problems: { path: readonly (string | number)[]; message: string }[]): {
  fire: Comparison | undefined; clear?: Comparison; trend: CompiledRule['trend']; baseline: CompiledRule['baseline'];
} {
  const none = { fire, trend: undefined, baseline: undefined };
  if (spec.trend && spec.baseline) {
    problems.push({ path: [], message: 'give trend: or baseline:, not both' });
    return none;
  }
  if (spec.trend) {
    const t = spec.trend;
    const bucket = t.bucket ?? DAY;
    const minSpan = t.min_span ?? t.over / 2;
    if (t.over < 3 * bucket) problems.push({ path: ['trend', 'over'], message: `the trend window must hold at least 3 buckets of ${formatDuration(bucket)}` });
    if (t.over > MAX_BUCKETS * bucket) problems.push({ path: ['trend', 'bucket'], message: `the trend window holds at most ${MAX_BUCKETS} buckets; make bucket: at least ${formatDuration(Math.ceil(t.over / MAX_BUCKETS))}` });
    if (minSpan > t.over) problems.push({ path: ['trend', 'min_span'], message: 'min_span cannot be longer than the window (over:)' });
    if (spec.clear?.when !== undefined) problems.push({ path: ['clear', 'when'], message: 'a trend rule clears when the forecast leaves the horizon; clear.when does not apply (clear.for does)' });
    if (!fire) return none;
    if (fire.op === '==' || fire.op === '!=') {
      problems.push({ path: spec.kpi !== undefined ? ['kpi'] : ['when'], message: `a trend reaches a threshold from below (> or >=) or above (< or <=), not "${fire.text}"` });
      return none;
    }
    return {
      fire: { op: '<=', value: t.horizon / 1000, text: `reaches ${fire.text} within ${formatDuration(t.horizon)}` },
      // Clears once the crossing is half a horizon beyond it: a forecast wobbling about the horizon does not flap.
      clear: { op: '>', value: (1.5 * t.horizon) / 1000, text: `reaches ${fire.text} in more than ${formatDuration(1.5 * t.horizon)}` },
      trend: {
        overMs: t.over, bucketMs: bucket, horizonMs: t.horizon, minSpanMs: minSpan,
        threshold: fire.value, up: fire.op === '>' || fire.op === '>=', text: fire.text,
      },
      baseline: undefined,
    };
  }
  if (spec.baseline) {
    const b = spec.baseline;
    const weeks = b.weeks ?? 4;
    const baseline: BaselineSpec = { weeks, minWeeks: b.min_weeks ?? Math.min(3, weeks), minSpread: b.min_spread ?? 0 };
    if (baseline.minWeeks > weeks) problems.push({ path: ['baseline', 'min_weeks'], message: `min_weeks cannot exceed weeks (${weeks})` });
    if (spec.kpi !== undefined) {
      problems.push({ path: ['kpi'], message: 'a baseline rule compares robust deviations: give when: (like "> 3"), not kpi:' });
      return none;
    }
    return { fire, trend: undefined, baseline };
  }
  return none;
}
