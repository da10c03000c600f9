import { createHash } from 'node:crypto';
import type { AlertState, AlertTransition } from '../core/alert.js';
import type { CompiledRule } from './rule.js';
import type { Window } from './window.js';
import { modelFigures, type RuleModel } from './model.js';

/**
 * What the engine knows about one rule watching one series: its window and
 * where its alert stands. Times are epoch ms; NaN means "not set".
 */
export interface SeriesAlert {
  readonly rule: CompiledRule;
  readonly series: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Shared with the other rules that aggregate this series the same way. */
  readonly window: Window;
  /** A trend or baseline rule's memory (model.ts); undefined for the others. */
  readonly model: RuleModel | undefined;
  state: AlertState;
  /** Last aggregated value (NaN when the window had none). */
  value: number;
  /** Whether the firing condition held at the last evaluation. */
  fireHolds: boolean;
  /** When the firing condition began to hold (pending since). */
  activeAt: number;
  /** Time of the sample that crossed the threshold. */
  crossedAt: number;
  /** Oldest sample of the run of samples that each met the condition: when the interruption began. */
  evidenceSince: number;
  /** When the clear condition began to hold while firing. */
  clearSince: number;
  lastSeen: number;
  /** Firing because the series went silent, not because of a value. */
  noData: boolean;
  /** The next time a timer may change this entry; Infinity for none. */
  deadline: number;
  /** Wall clock jumps (ms, summed) since it fired: its activeAt stays as announced (clock-step.ts). */
  clockShift: number;
  fingerprint?: string;
  labels?: Readonly<Record<string, string>>;
}

export function newSeriesAlert(rule: CompiledRule, series: string, tags: Readonly<Record<string, string>>, window: Window, model?: RuleModel): SeriesAlert {
  return {
    rule, series, tags, window, model, state: 'inactive', value: NaN,
    fireHolds: false, activeAt: NaN, crossedAt: NaN, evidenceSince: NaN, clearSince: NaN, lastSeen: NaN, noData: false, deadline: Infinity, clockShift: 0,
  };
}

/** The alert's labels: the series' tags, the rule's labels, alertname and severity. */
export function alertLabels(e: SeriesAlert): Readonly<Record<string, string>> {
  if (!e.labels) {
    e.labels = Object.freeze({ ...e.tags, ...e.rule.labels, alertname: e.rule.name, severity: e.rule.severity });
  }
  return e.labels;
}

/** Stable identity of an alert: a hash of the rule name and its sorted labels. */
export function fingerprintOf(rule: string, labels: Readonly<Record<string, string>>): string {
  const text = [rule, ...Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`)].join('\u0000');
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export function fingerprint(e: SeriesAlert): string {
  e.fingerprint ??= fingerprintOf(e.rule.name, alertLabels(e));
  return e.fingerprint;
}

/** Builds the transition record, rendering annotations and the outage service for it. */
export function transition(
  e: SeriesAlert, from: AlertState, to: AlertState, at: number,
  reason: NonNullable<AlertTransition['reason']>,
): AlertTransition {
  const rule = e.rule;
  const labels = alertLabels(e);
  // A trend rule's threshold is the level it forecasts, not its horizon.
  const threshold = rule.trend ? rule.trend.threshold : rule.fire.value;
  const data = { labels, value: e.value, threshold, ...modelFigures(e.model) };
  const annotations: Record<string, string> = {};
  for (const [k, t] of Object.entries(rule.annotations)) annotations[k] = t(data);
  return {
    fingerprint: fingerprint(e),
    rule: rule.name,
    from,
    to,
    labels,
    annotations,
    severity: rule.severity,
    value: e.value,
    threshold,
    ...(rule.kpi !== undefined ? { kpi: rule.kpi } : {}),
    activeAt: e.activeAt,
    crossedAt: e.crossedAt,
    ...(Number.isFinite(e.evidenceSince) && e.evidenceSince < e.activeAt ? { evidenceSince: e.evidenceSince } : {}),
    at,
    ...(rule.outage
      ? { outage: { service: rule.outage.service(data), recoveryTarget: rule.outage.recoveryTarget, warnAt: rule.outage.warnAt } }
      : {}),
    series: e.series,
    ...(to === 'resolved' && !Number.isNaN(e.clearSince) ? { clearedAt: e.clearSince } : {}),
    ...(e.clockShift ? { clockShift: e.clockShift } : {}),
    reason,
  };
}
