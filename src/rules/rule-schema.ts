import { z } from 'zod';
import { AGGREGATIONS } from './fields.js';
import { duration } from '../config/duration-schema.js';
import { kpis } from '../config/sections/kpis.js';

/**
 * The schema of a rule file (alert-rules/*.yaml) and of the `kpis:`
 * overrides in config. docs/rules.md is the reference. Checks that need more
 * than shape (regexes, KPI ids, aggregation against field, templates) are in
 * src/rules/compile.ts and run right after this.
 */
const name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'alert names are letters, digits and _ (like LinkDown)');
const labelMap = z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'label names are letters, digits and _'), z.string());

export const ruleSchema = z.strictObject({
  alert: name,
  select: z.strictObject({
    measurement: z.string().min(1),
    /** tag: "value" | "!= value" | "=~ regex" | "!~ regex" */
    tags: z.record(z.string(), z.string()).optional(),
    /** field: "= 1": only samples whose field meets the comparison count (e.g. admin_up). */
    fields: z.record(z.string(), z.string()).optional(),
  }),
  value: z.strictObject({
    agg: z.enum(AGGREGATIONS).optional(),
    field: z.string().min(1).optional(),
    numerator: z.string().min(1).optional(),
    denominator: z.string().min(1).optional(),
    over: duration().optional(),
    samples: z.number().int().min(1).max(10_000).optional(),
    /** ratio only: the least summed denominator; below it the value is "not enough traffic". */
    min_volume: z.number().int().min(0).optional(),
  }),
  when: z.string().optional(),
  kpi: z.string().optional(),
  level: z.enum(['target', 'warning', 'critical']).optional(),
  for: duration({ min: 0 }).optional(),
  keep_firing_for: duration({ min: 0 }).optional(),
  clear: z.strictObject({ when: z.string().optional(), for: duration({ min: 0 }).optional() }).optional(),
  no_data: duration().optional(),
  severity: z.enum(['info', 'warning', 'critical']).optional(),
  labels: labelMap.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  depends_on: z.strictObject({ alert: name, on: z.array(z.string().min(1)).min(1) }).optional(),
  outage: z.strictObject({
    service: z.string().min(1),
    /** Default: the catalogue's recovery_minutes target (30m), so kpis: moves it. */
    recovery_target: duration({ min: 1000 }).optional(),
    warn_at: z.array(duration({ min: 1000 })).optional(),
  }).optional(),
  scope: z.array(z.string().min(1)).optional(),
  /** Time to threshold: fires when the trend over `over` reaches the threshold (kpi: or when:) within `horizon`. */
  trend: z.strictObject({
    over: duration({ min: 10_800_000 }),
    horizon: duration({ min: 60_000 }),
    bucket: duration({ min: 60_000 }).optional(),
    min_span: duration({ min: 0 }).optional(),
  }).optional(),
  /** Seasonal baseline: `when:` compares the robust deviations from the same hour of the week in the last `weeks`. */
  baseline: z.strictObject({
    weeks: z.number().int().min(2).max(12).optional(),
    min_weeks: z.number().int().min(1).max(12).optional(),
    min_spread: z.number().min(0).optional(),
  }).optional(),
});

export const ruleFileSchema = z.strictObject({
  groups: z.array(z.strictObject({
    name: z.string().min(1),
    labels: labelMap.optional(),
    rules: z.array(ruleSchema),
  })),
});

export type RuleFileParsed = z.output<typeof ruleFileSchema>;

/**
 * A rule unit test file (`kpid test-rules`), in the style of
 * `promtool test rules`: input series over time, then the alerts expected
 * to be firing at given times.
 */
export const ruleTestFileSchema = z.strictObject({
  /** Rule files under test, relative to this file. */
  rule_files: z.array(z.string().min(1)).min(1),
  /** kpis: overrides to compile the rules with, as in config. */
  kpis: kpis.optional(),
  /** Default step between input values. */
  evaluation_interval: duration().default(60_000),
  tests: z.array(z.strictObject({
    name: z.string().min(1),
    interval: duration().optional(),
    /** Start of the test's time line; default 2026-01-01T00:00:00Z. */
    start: z.string().datetime({ offset: true }).optional(),
    input_series: z.array(z.strictObject({
      measurement: z.string().min(1),
      tags: z.record(z.string(), z.string()).default({}),
      /** field: "1 2 _ 3", "0+10x5", "1x20": one value per interval, _ for none. */
      fields: z.record(z.string(), z.union([z.string(), z.number()]).transform(String)),
    })),
    alert_rule_test: z.array(z.strictObject({
      eval_time: duration({ min: 0 }),
      alertname: z.string().min(1),
      /** The alerts of that name firing at eval_time, exactly (labels and annotations match as subsets). */
      exp_alerts: z.array(z.strictObject({
        exp_labels: z.record(z.string(), z.string()).default({}),
        exp_annotations: z.record(z.string(), z.string()).default({}),
      })).default([]),
    })).default([]),
    /**
     * How many times an alert went to firing over the whole test, all series
     * together: `at_most: 1` says a noisy series pages at most once.
     */
    firings: z.array(z.strictObject({
      alertname: z.string().min(1),
      at_most: z.number().int().min(0).optional(),
      exactly: z.number().int().min(0).optional(),
    }).refine((f) => (f.at_most === undefined) !== (f.exactly === undefined), 'give at_most: N or exactly: N')).default([]),
  })),
});

export type RuleTestFile = z.output<typeof ruleTestFileSchema>;
