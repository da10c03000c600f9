/**
 * The shapes that cross from rules to alerts to notify. Rules produce
 * AlertTransitions; alerts (lifecycle, outages, SLA clocks) turn them into
 * Notifications; notify delivers those.
 */

export type Severity = 'info' | 'warning' | 'critical';
export type AlertState = 'inactive' | 'pending' | 'firing' | 'resolved';

export interface AlertTransition {
  /** Stable identity: hash of rule name and the series labels. */
  readonly fingerprint: string;
  readonly rule: string;
  readonly from: AlertState;
  readonly to: AlertState;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly severity: Severity;
  /** The aggregated value that caused the transition. */
  readonly value: number;
  /** The threshold it was compared against, for "value vs target" messages. */
  readonly threshold?: number;
  /** KPI catalogue id, when the rule checks one. */
  readonly kpi?: string;
  /** When the condition started to hold (pending since), epoch ms. */
  readonly activeAt: number;
  /** Time of the sample that crossed the threshold: start of delivery latency. */
  readonly crossedAt: number;
  /**
   * When the evidence began, if earlier than activeAt: the oldest of the
   * samples that each met the condition (a device unreachable for 3 polls
   * has been down since the first). An outage's recovery clock starts here.
   */
  readonly evidenceSince?: number;
  /** When this transition happened, epoch ms. */
  readonly at: number;
  /** Set when the rule opens an outage: `outage: { service, recovery_target, warn_at }`. */
  readonly outage?: OutagePolicy;
  /** Identity of the series the rule watched (measurement plus sorted tags), to resume after a restart. */
  readonly series?: string;
  /** For a resolution: when the condition first cleared, i.e. when service was restored. */
  readonly clearedAt?: number;
  /**
   * How far the wall clock jumped (ms, summed) since the alert fired, when
   * it did (docs/time.md): `clearedAt - clockShift` is the clearing on the
   * time line of `activeAt`, so the alert's duration is real.
   */
  readonly clockShift?: number;
  /**
   * Why: the threshold was crossed or cleared, the series went silent
   * (no_data), or its rule or target left the config (no longer monitored:
   * an outage it kept open ends by the removal, not restored).
   */
  readonly reason?: 'threshold' | 'no_data' | 'suppressed' | 'rule_removed' | 'target_removed';
}

/** A resolution that says nothing about the service: kpid stopped watching it. */
export function noLongerMonitored(t: Pick<AlertTransition, 'reason'>): boolean {
  return t.reason === 'rule_removed' || t.reason === 'target_removed';
}

export interface OutagePolicy {
  readonly service: string;
  /** Milliseconds from start to the recovery target (30 min in the plan). */
  readonly recoveryTarget: number;
  /** Milliseconds after start at which staff are warned, e.g. 15 and 25 min. */
  readonly warnAt: readonly number[];
}

export type NotificationKind = 'firing' | 'resolved' | 'sla_warning' | 'sla_breach' | 'sla_restored' | 'escalation' | 'flapping' | 'flap_ended';

/** Something a person must be told; notify routes and delivers it. */
export interface Notification {
  /** Unique per (alert or outage, kind, step): the base of queue job ids. */
  readonly id: string;
  readonly kind: NotificationKind;
  readonly fingerprint: string;
  readonly severity: Severity;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly summary: string;
  readonly value?: number;
  readonly threshold?: number;
  readonly kpi?: string;
  readonly startsAt: number;
  /**
   * When the problem truly began, if earlier than startsAt: the first sample
   * that met the condition (a device's first failed poll), or its outage's
   * start. What people are told as "since".
   */
  readonly since?: number;
  /** How many samples in a row met the condition when it fired (a `samples: N` window): "3 misses". */
  readonly evidenceSamples?: number;
  readonly endsAt?: number;
  readonly crossedAt: number;
  readonly outage?: {
    readonly id: string;
    readonly service: string;
    readonly startedAt: number;
    readonly recoveryTarget: number;
    /** Milliseconds after the start at which staff are warned, e.g. 15 and 25 min. */
    readonly warnAt?: readonly number[];
    /** Milliseconds left on the recovery clock when this was sent (negative once missed). */
    readonly remaining: number;
  };
}
