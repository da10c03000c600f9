import type { Comparison } from '../core/comparison.js';
import type { Failure, TargetFailures } from './report-model.js';

/** Targets listed in a failed KPI's "where"; the rest are counted. */
export const WHERE_TARGETS = 10;
/** Failures listed per target; the rest are counted. A 48-port switch stays one readable entry. */
export const WHERE_PER_TARGET = 5;

/**
 * A failed KPI's failures grouped by target, worst target first (the one
 * with the single worst failure, then the one with more failures), each
 * target's failures worst first, capped, with counts of what was left out.
 * "Worst" is furthest on the wrong side of the target (lowest for "at
 * least", highest for "at most"), then longest.
 */
export function whereFailed(target: Comparison, failures: readonly Failure[]): { where: TargetFailures[]; moreTargets: number } {
  const worseFirst = (a: Failure, b: Failure) => badness(target, b) - badness(target, a)
    || (b.seconds ?? 0) - (a.seconds ?? 0) || (b.days ?? 0) - (a.days ?? 0) || (a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : 0);
  const byTarget = new Map<string, Failure[]>();
  for (const f of failures) {
    const list = byTarget.get(f.target);
    if (list) list.push(f);
    else byTarget.set(f.target, [f]);
  }
  const groups = [...byTarget].map(([name, list]) => ({ name, list: list.sort(worseFirst) }));
  groups.sort((a, b) => worseFirst(a.list[0]!, b.list[0]!) || b.list.length - a.list.length);
  return {
    where: groups.slice(0, WHERE_TARGETS).map((g) => ({
      target: g.name, count: g.list.length,
      failures: g.list.slice(0, WHERE_PER_TARGET), more: Math.max(0, g.list.length - WHERE_PER_TARGET),
    })),
    moreTargets: Math.max(0, groups.length - WHERE_TARGETS),
  };
}

/** How far on the wrong side: larger is worse; a failure without a value ranks last. */
function badness(target: Comparison, f: Failure): number {
  if (f.value === null || !Number.isFinite(f.value)) return -Infinity;
  switch (target.op) {
    case '>': case '>=': return -f.value;
    case '<': case '<=': return f.value;
    default: return Math.abs(f.value - target.value);
  }
}
