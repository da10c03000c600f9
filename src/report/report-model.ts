import type { Operator } from '../core/comparison.js';
import type { KpiDefinition } from '../core/kpi-catalogue.js';
import type { CallCounts } from './report-source.js';

/**
 * The compliance report (KPI-CATALOGUE.md 4.3.2 and 9.2.3): every catalogue
 * KPI against its target for one period, with pass/fail and the evidence,
 * and which KPIs failed, where and for how long. This is also the JSON
 * format (`--format json`, GET /api/v1/report), documented in
 * docs/report.md; `version` changes only when a field changes meaning.
 *
 * Units are kpid's (docs/rules.md): ratios 0–1, durations seconds, rates
 * bit/s. Times are ISO 8601 UTC strings; days are `YYYY-MM-DD` (UTC).
 */
export interface ComplianceReport {
  readonly report: 'kpid-compliance';
  readonly version: 1;
  readonly generatedAt: string;
  readonly period: ReportPeriod;
  readonly source: { readonly mode: 'influx' | 'embedded'; readonly notes: readonly string[] };
  readonly summary: ReportSummary;
  readonly kpis: readonly KpiResult[];
  /** Per service from the outage ledger; services with no outage overlapping the period are not known to it. */
  readonly availability: readonly ServiceAvailability[];
  /** Services whose availability missed its target. */
  readonly failedServices: readonly string[];
  /** Every outage overlapping the period, planned or not, oldest first. */
  readonly outages: readonly OutageRecord[];
  /** Planned maintenance: excluded from availability and from the recovery KPIs. */
  readonly maintenance: readonly MaintenanceRecord[];
}

export type Status = 'pass' | 'fail' | 'no_data';

export interface ReportPeriod {
  readonly from: string;
  /** As asked, exclusive. */
  readonly to: string;
  readonly seconds: number;
  /** Where the report stops counting: `to`, or when the report was made if that is earlier. Open outages count up to here. */
  readonly countedTo: string;
  readonly countedSeconds: number;
  /** The period ends after the report was made, so it is counted up to then. */
  readonly cutAtNow: boolean;
  /** Says so in words, when cut. */
  readonly note?: string;
  /** The period of the same length just before, which each KPI's `trend` compares with. */
  readonly previous: { readonly from: string; readonly to: string };
}

export interface ReportSummary {
  readonly kpis: number;
  readonly pass: number;
  readonly fail: number;
  readonly noData: number;
  /** The failed KPIs with where and for how long. */
  readonly failed: ReadonlyArray<FailedKpi>;
}

export interface FailedKpi {
  readonly kpi: string;
  readonly name: string;
  /** Every failure, as in the KPI's own `failures`. */
  readonly failures: readonly Failure[];
  /** The failures grouped by target, worst target first, at most WHERE_TARGETS targets of at most WHERE_PER_TARGET each. */
  readonly where: readonly TargetFailures[];
  /** Targets with failures beyond the ones listed in `where`. */
  readonly moreTargets: number;
}

export interface TargetFailures {
  readonly target: string;
  /** How many failures this target has in all. */
  readonly count: number;
  /** Its worst failures, worst first. */
  readonly failures: readonly Failure[];
  /** Failures of this target not listed. */
  readonly more: number;
}

export interface KpiResult {
  readonly id: string;
  readonly name: string;
  readonly chapter: KpiDefinition['chapter'];
  readonly unit: KpiDefinition['unit'];
  readonly target: { readonly text: string; readonly op: Operator; readonly value: number };
  /** The headline figure (see `basis`); null when there is no data. */
  readonly value: number | null;
  /** Pass only when the headline and every scope meet the target. */
  readonly status: Status;
  /** Why the value is null, or what the figure rests on when there was nothing to measure. */
  readonly reason?: string;
  /** How `value` is computed, in words. */
  readonly basis: string;
  /** Voice ratios: the counters summed over the period and every switch. */
  readonly counts?: CallCounts;
  readonly scopes: readonly ScopeResult[];
  /** Where the target was missed and for how long. */
  readonly failures: readonly Failure[];
  /** One value per UTC day of the period (the chart), null for a day with no data. */
  readonly daily: readonly DailyValue[];
  /** This period against the previous one (period.previous). */
  readonly trend: KpiTrend;
}

/** A KPI measured over one period, before it is compared with the previous one. */
export type MeasuredKpi = Omit<KpiResult, 'trend'>;

export interface KpiTrend {
  /** The headline figure of the previous period; null when it had no data. */
  readonly previous: number | null;
  /** value − previous, in the KPI's unit (a ratio's change is in ratio points); null when either is missing. */
  readonly change: number | null;
  readonly direction: 'up' | 'down' | 'same' | null;
  /** Whether the change moves toward the target's good side; null when unchanged or unknown. */
  readonly better: boolean | null;
}

export interface ScopeResult {
  /** A region, switch, service... as the data names it. */
  readonly scope: string;
  /** counters: voice counters summed; pushed: `kpi` readings; polled: kpid's own interface and probe samples; ledger: the outage ledger. */
  readonly source: 'counters' | 'pushed' | 'polled' | 'ledger';
  /** The monitored target the scope belongs to (polled and ledger scopes). */
  readonly target?: string;
  readonly value: number | null;
  readonly status: Status;
  readonly counts?: CallCounts;
  readonly readings?: ReadingSummary;
  /** Days with data in this scope, and how many of them missed the target on their own. */
  readonly days?: number;
  readonly failingDays?: number;
}

export interface ReadingSummary {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly last: number;
}

export interface Failure {
  readonly scope: string;
  /** The target the failure is on: the `where` list groups by it. */
  readonly target: string;
  readonly value: number | null;
  /** One line for a person: what missed, by how much, for how long. */
  readonly detail: string;
  /** How long: downtime or outage duration (ledger KPIs). */
  readonly seconds?: number;
  /** How long: days that missed the target (sample KPIs). */
  readonly days?: number;
}

export interface DailyValue {
  readonly day: string;
  readonly value: number | null;
}

export interface ServiceAvailability {
  readonly service: string;
  readonly target: string;
  /** 0–1: (monitored − planned − unplanned downtime) ÷ (monitored − planned), over the monitored time inside the period. */
  readonly availability: number;
  /** Start of the monitored time inside the period: the period's start, or when kpid first saw the service if later. */
  readonly monitoredFrom: string;
  /** From monitoredFrom to the period's counted end. */
  readonly monitoredSeconds: number;
  /** What monitoredFrom rests on: the first stored sample, the first outage, or unknown (the whole period assumed). */
  readonly monitoredSince: 'first_sample' | 'first_outage' | 'unknown';
  readonly status: Exclude<Status, 'no_data'>;
  readonly unplannedDowntimeSeconds: number;
  readonly plannedDowntimeSeconds: number;
  readonly unplannedOutages: number;
  readonly plannedOutages: number;
}

export interface OutageRecord {
  readonly id: string;
  readonly service: string;
  readonly startedAt: string;
  /** Null while still open at the end of the period, and for one ended by removal (never seen restored). */
  readonly restoredAt: string | null;
  /** Set when its target or rule left the config: it closed then, not restored (issue 13 §5). */
  readonly endedByRemovalAt?: string;
  /** Start to restore (or to the end of the period when open), whole, even beyond the period. */
  readonly durationSeconds: number;
  /** The part inside the period. */
  readonly inPeriodSeconds: number;
  readonly recoveryTargetSeconds: number;
  /** Recovery target met; null for planned outages, and for open ones still inside their target. */
  readonly met: boolean | null;
  readonly planned: boolean;
  readonly cause?: string;
}

export interface MaintenanceRecord {
  readonly id: string;
  readonly service: string;
  readonly startedAt: string;
  readonly restoredAt: string | null;
  /** Time excluded from the period's availability. */
  readonly excludedSeconds: number;
  readonly cause?: string;
}
