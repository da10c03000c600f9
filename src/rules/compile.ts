import { holds, parseComparison, type Comparison } from '../core/comparison.js';
import { checkAggregation, type Aggregation } from './fields.js';
import type { KpiCatalogue } from '../core/kpi-catalogue.js';
import { parseMatcher, type TagMatcher } from './matchers.js';
import type { CompiledRule, RuleGroupSpec, RuleSpec } from './rule.js';
import { compileTemplate, type Template } from './template.js';
import { compileModel } from './model-rules.js';

/** A problem in one rule, with the path of the key at fault inside the rule. */
export interface RuleProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
  /** Point at the key itself rather than its value (unknown keys, bad names). */
  readonly key?: string;
}

export type CompileResult = { rule: CompiledRule; problems?: undefined } | { rule?: undefined; problems: RuleProblem[] };

/**
 * Checks what a schema cannot: regexes, KPI ids, whether the aggregation
 * means anything for the field, templates and the hysteresis band.
 */
export function compileRule(spec: RuleSpec, group: RuleGroupSpec, index: number, kpis: KpiCatalogue): CompileResult {
  const problems: RuleProblem[] = [];
  const matchers: TagMatcher[] = [];
  for (const [tag, written] of Object.entries(spec.select.tags ?? {})) {
    const m = parseMatcher(tag, written);
    if (typeof m === 'string') problems.push({ path: ['select', 'tags', tag], message: m });
    else matchers.push(m);
  }

  const fieldFilters: { field: string; when: Comparison }[] = [];
  for (const [field, written] of Object.entries(spec.select.fields ?? {})) {
    const known = checkAggregation(spec.select.measurement, field, 'last');
    const c = parseComparison(written);
    if (known) problems.push({ path: ['select', 'fields', field], message: known });
    else if (typeof c === 'string') problems.push({ path: ['select', 'fields', field], message: c });
    else fieldFilters.push({ field, when: c });
  }

  const v = spec.value;
  const agg: Aggregation = v.agg ?? (v.numerator !== undefined ? 'ratio' : 'last');
  let field = v.field ?? '';
  let denominator: string | undefined;
  if (agg === 'ratio') {
    if (v.field !== undefined || v.numerator === undefined || v.denominator === undefined) {
      problems.push({ path: ['value'], message: 'ratio takes numerator: and denominator: (two fields whose sums are divided), not field:' });
    } else {
      field = v.numerator;
      denominator = v.denominator;
      for (const [key, f] of [['numerator', v.numerator], ['denominator', v.denominator]] as const) {
        const why = checkAggregation(spec.select.measurement, f, agg);
        if (why) problems.push({ path: ['value', key], message: why });
      }
    }
  } else if (v.field === undefined || v.numerator !== undefined || v.denominator !== undefined) {
    problems.push({ path: ['value'], message: `${agg} takes field: (numerator: and denominator: belong to ratio)` });
  } else {
    const why = checkAggregation(spec.select.measurement, v.field, agg);
    if (why) problems.push({ path: why.startsWith('unknown measurement') ? ['select', 'measurement'] : ['value', why.startsWith('aggregation') ? 'agg' : 'field'], message: why });
  }
  // A ratio KPI brings its window and least volume from the catalogue
  // (kpis: in config moves them); the rule may set its own.
  const volume = agg === 'ratio' && spec.kpi !== undefined ? kpis.get(spec.kpi)?.minVolume : undefined;
  const over = v.over ?? (v.samples === undefined ? volume?.window : undefined);
  const minVolume = v.min_volume ?? volume?.count ?? 0;
  if (v.min_volume !== undefined && agg !== 'ratio') problems.push({ path: ['value', 'min_volume'], message: 'min_volume is the least denominator of a ratio; it goes with agg: ratio' });
  if (agg !== 'last' && over === undefined && v.samples === undefined) {
    problems.push({ path: ['value'], message: `${agg} needs a window: over: DURATION or samples: N` });
  }
  if (agg === 'rate' && over === undefined) problems.push({ path: ['value'], message: 'rate needs over: DURATION (events per second over it)' });
  if (v.over !== undefined && v.samples !== undefined) problems.push({ path: ['value'], message: 'give over: or samples:, not both' });

  const level = spec.level ?? 'target';
  let fire: Comparison | undefined;
  if ((spec.kpi === undefined) === (spec.when === undefined)) {
    problems.push({ path: [], message: 'give exactly one of when: (a comparison) or kpi: (a KPI id whose threshold is used)' });
  } else if (spec.kpi !== undefined) {
    if (!kpis.has(spec.kpi)) problems.push({ path: ['kpi'], message: `unknown KPI id "${spec.kpi}"; known: ${kpis.ids().join(', ')}` });
    else {
      fire = kpis.alertCondition(spec.kpi, level);
      if (!fire) problems.push({ path: ['level'], message: `KPI "${spec.kpi}" has no ${level} level` });
    }
  } else if (spec.level !== undefined) {
    problems.push({ path: ['level'], message: 'level: goes with kpi:' });
  } else {
    const c = parseComparison(spec.when!);
    if (typeof c === 'string') problems.push({ path: ['when'], message: c });
    else fire = c;
  }

  const model = compileModel(spec, fire, problems);
  fire = model.fire;

  let clear: Comparison | undefined = model.clear;
  if (spec.clear?.when !== undefined) {
    const c = parseComparison(spec.clear.when);
    if (typeof c === 'string') problems.push({ path: ['clear', 'when'], message: c });
    else if (fire && overlaps(fire, c)) {
      problems.push({ path: ['clear', 'when'], message: `"${c.text}" overlaps the firing condition "${fire.text}"; the clear threshold must be on the healthy side` });
    } else clear = c;
  }

  const annotations: Record<string, Template> = {};
  for (const [key, text] of Object.entries(spec.annotations ?? {})) {
    const t = compileTemplate(text);
    if (typeof t === 'string') problems.push({ path: ['annotations', key], message: t });
    else annotations[key] = t;
  }
  let service: Template | undefined;
  const recovery = kpis.get('recovery_minutes')!.target.value * 1000;
  const recoveryTarget = spec.outage?.recovery_target ?? recovery;
  if (spec.outage) {
    const t = compileTemplate(spec.outage.service);
    if (typeof t === 'string') problems.push({ path: ['outage', 'service'], message: t });
    else service = t;
    for (const [i, w] of (spec.outage.warn_at ?? []).entries()) {
      if (w >= recoveryTarget) {
        problems.push({ path: ['outage', 'warn_at', i], message: 'a warning must fall before the recovery target' });
      }
    }
  }

  if (problems.length) return { problems };
  // Every property present, always in this order: the engine reads rules on
  // its hot path, and one object shape keeps those reads monomorphic.
  const rule: CompiledRule = {
    name: spec.alert,
    group: group.name,
    index,
    measurement: spec.select.measurement,
    matchers,
    fieldFilters,
    field,
    denominator,
    agg,
    overMs: over ?? 0,
    samples: v.samples ?? (over === undefined ? 1 : 0),
    minVolume,
    fire: fire!,
    clear,
    forMs: spec.for ?? 0,
    keepFiringForMs: spec.keep_firing_for ?? 0,
    clearForMs: spec.clear?.for ?? 0,
    noDataMs: spec.no_data ?? 0,
    severity: spec.severity ?? 'warning',
    labels: { ...group.labels, ...spec.labels },
    annotations,
    kpi: spec.kpi,
    level,
    dependsOn: spec.depends_on,
    outage: spec.outage && service
      ? { service, recoveryTarget, warnAt: [...(spec.outage.warn_at ?? [])].sort((a, b) => a - b) }
      : undefined,
    scope: spec.scope ?? defaultScope(spec.select.measurement),
    trend: model.trend,
    baseline: model.baseline,
  };
  return { rule };
}

function defaultScope(measurement: string): string[] {
  if (measurement === 'kpi') return ['scope'];
  if (measurement === 'interface') return ['target', 'interface'];
  if (measurement === 'probe') return ['target', 'probe'];
  return ['target'];
}

/** Whether some value satisfies both comparisons (checked at the edges and between them). */
function overlaps(a: Comparison, b: Comparison): boolean {
  const d = Math.max(Math.abs(a.value), Math.abs(b.value), 1) * 1e-9;
  const points = [a.value, b.value, (a.value + b.value) / 2, a.value - d, a.value + d, b.value - d, b.value + d, -1e300, 1e300];
  return points.some((x) => holds(a, x) && holds(b, x));
}
