import type { Comparison } from '../core/comparison.js';
import type { CompiledRule } from './rule.js';

/**
 * What a series reads of each sample, worked out once for its feeds: every
 * field it needs (values, denominators, field filters) looked up once, and
 * every distinct field filter checked once. An interface's nine feeds asked
 * sample.fields by name 24 times a sample, a megamorphic keyed load each,
 * and checked `monitored = 1` eight times (take-sample.ts was the engine's
 * top self time, bench/rules.bench.mjs collector feed); now 11 and once.
 *
 * A plan depends only on the series' feeds, in order, so every series with
 * the same rules shares one (EngineState.plans, keyed by bind's feed ids).
 */
export interface ReadPlan {
  /** The distinct fields read, each looked up once a sample. */
  readonly fields: readonly string[];
  /** By feed slot: the place in `fields` of its value, and of its denominator (-1: not a ratio). */
  readonly num: Int32Array;
  readonly den: Int32Array;
  /** The distinct field filters: the place of their field in `fields`, and their comparison. */
  readonly checkAt: Int32Array;
  readonly checks: readonly Comparison[];
  /** By feed slot: the checks it needs are needs[needsFrom[slot]] up to needs[needsFrom[slot + 1]]. */
  readonly needs: Int32Array;
  readonly needsFrom: Int32Array;
}

/** What a feed reads (engine-state.ts Feed): its value's field, its denominator's, its field filters. */
interface Reads {
  readonly field: string;
  readonly denominator: string | undefined;
  readonly filters: CompiledRule['fieldFilters'];
}

export function readPlan(feeds: readonly Reads[]): ReadPlan {
  const places = new Map<string, number>();
  const place = (field: string): number => {
    let p = places.get(field);
    if (p === undefined) places.set(field, (p = places.size));
    return p;
  };
  const num = new Int32Array(feeds.length);
  const den = new Int32Array(feeds.length);
  const checkIds = new Map<string, number>();
  const checkAt: number[] = [];
  const checks: Comparison[] = [];
  const needs: number[] = [];
  const needsFrom = new Int32Array(feeds.length + 1);
  for (let i = 0; i < feeds.length; i++) {
    const f = feeds[i]!;
    num[i] = place(f.field);
    den[i] = f.denominator === undefined ? -1 : place(f.denominator);
    needsFrom[i] = needs.length;
    for (const { field, when } of f.filters) {
      const id = `${field}${when.op}${when.value}`;
      let c = checkIds.get(id);
      if (c === undefined) {
        checkIds.set(id, (c = checks.length));
        checkAt.push(place(field));
        checks.push(when);
      }
      needs.push(c);
    }
  }
  needsFrom[feeds.length] = needs.length;
  return {
    fields: [...places.keys()], num, den,
    checkAt: Int32Array.from(checkAt), checks, needs: Int32Array.from(needs), needsFrom,
  };
}
