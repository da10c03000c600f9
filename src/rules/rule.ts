import type { Severity } from '../core/alert.js';
import type { Comparison } from '../core/comparison.js';
import type { Aggregation } from './fields.js';
import type { KpiLevel } from '../core/kpi-catalogue.js';
import type { TagMatcher } from './matchers.js';
import type { Template } from './template.js';
import type { TrendSpec } from './trend.js';
import type { BaselineSpec } from './baseline.js';

/**
 * One rule as written in a rule file, after schema validation (durations in
 * milliseconds). docs/rules.md is its reference.
 */
export interface RuleSpec {
  readonly alert: string;
  readonly select: {
    readonly measurement: string;
    readonly tags?: Readonly<Record<string, string>>;
    /** Field conditions a sample must meet to count, e.g. admin_up: "= 1". */
    readonly fields?: Readonly<Record<string, string>>;
  };
  readonly value: {
    readonly agg?: Aggregation;
    readonly field?: string;
    readonly numerator?: string;
    readonly denominator?: string;
    readonly over?: number;
    readonly samples?: number;
    readonly min_volume?: number;
  };
  readonly when?: string;
  readonly kpi?: string;
  readonly level?: KpiLevel;
  readonly for?: number;
  readonly keep_firing_for?: number;
  readonly clear?: { readonly when?: string; readonly for?: number };
  readonly no_data?: number;
  readonly severity?: Severity;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly depends_on?: { readonly alert: string; readonly on: readonly string[] };
  /** recovery_target defaults to the catalogue's recovery_minutes target (kpis: overrides move it). */
  readonly outage?: { readonly service: string; readonly recovery_target?: number; readonly warn_at?: readonly number[] };
  readonly scope?: readonly string[];
  readonly trend?: { readonly over: number; readonly horizon: number; readonly bucket?: number; readonly min_span?: number };
  readonly baseline?: { readonly weeks?: number; readonly min_weeks?: number; readonly min_spread?: number };
}

export interface RuleGroupSpec {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly rules: readonly RuleSpec[];
}

/** A rule ready for the engine: matchers built, thresholds resolved, templates compiled. */
export interface CompiledRule {
  readonly name: string;
  readonly group: string;
  /** Position in the loaded set; the engine's per-series bindings refer to it. */
  readonly index: number;
  readonly measurement: string;
  readonly matchers: readonly TagMatcher[];
  /** Samples count only when these fields meet their comparisons. */
  readonly fieldFilters: readonly { readonly field: string; readonly when: Comparison }[];
  /** The field aggregated; for `ratio`, the numerator. */
  readonly field: string;
  readonly denominator?: string;
  readonly agg: Aggregation;
  /** Window length in ms; 0 with `samples` for a count window; 0 alone for `last`. */
  readonly overMs: number;
  readonly samples: number;
  /** A ratio whose summed denominator is below this has no value (not enough traffic); 0: none. */
  readonly minVolume: number;
  readonly fire: Comparison;
  readonly clear?: Comparison;
  readonly forMs: number;
  readonly keepFiringForMs: number;
  readonly clearForMs: number;
  readonly noDataMs: number;
  readonly severity: Severity;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, Template>>;
  readonly kpi?: string;
  readonly level: KpiLevel;
  readonly dependsOn?: { readonly alert: string; readonly on: readonly string[] };
  readonly outage?: { readonly service: Template; readonly recoveryTarget: number; readonly warnAt: readonly number[] };
  /** Tags whose values, joined by "/", name the scope of kpid_kpi_value. */
  readonly scope: readonly string[];
  /**
   * Time to threshold (trend.ts): `fire` then compares the seconds left
   * with the horizon; `threshold` is the level the trend reaches, rising
   * (`up`) or falling.
   */
  readonly trend: (TrendSpec & { readonly threshold: number; readonly up: boolean; readonly text: string }) | undefined;
  /** Seasonal baseline (baseline.ts): `fire` compares robust deviations. */
  readonly baseline: BaselineSpec | undefined;
}
