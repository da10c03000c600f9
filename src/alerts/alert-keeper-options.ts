import type { Clock } from '../core/clock.js';
import type { KpiCatalogue } from '../core/kpi-catalogue.js';
import type { Logger } from '../core/logger.js';
import type { Sample } from '../core/sample.js';
import type { KpiMetrics } from '../metrics/kpi-metrics.js';
import type { RuleRunner } from '../rules/rule-runner.js';
import type { FlapThresholds } from './flap-detector.js';
import type { NotificationConsumer } from './notification-gate.js';
import type { StateStore } from './state/state-store.js';

/** What alerts asks of the rules stage: carry alerts on (restart, handover), drop handed-over series, read KPI values. */
export type RuleState = Pick<RuleRunner, 'restore' | 'reschedule' | 'forget' | 'retireTargets' | 'readings' | 'rules'>;

export interface AlertKeeperOptions {
  readonly clock: Clock;
  readonly rules: RuleState;
  /** Where derived samples (availability) go: back into the pipeline, like any other sample. */
  readonly publish: (samples: readonly Sample[]) => void;
  /** Where the outage ledger's series go (the InfluxDB store, when configured). */
  readonly record?: (samples: readonly Sample[]) => void;
  /** The catalogue the rules were compiled against (kpis: overrides applied); for kpid_kpi_compliant. */
  readonly catalogue?: KpiCatalogue;
  readonly store: StateStore;
  readonly notifier: NotificationConsumer;
  readonly metrics?: KpiMetrics;
  readonly log?: Logger;
  /** Whether an outage starting now for these labels is planned maintenance. Default: never. */
  readonly isPlanned?: (labels: Readonly<Record<string, string>>, at: number) => boolean;
  /** How long restored outages stay in outages(), ms. Default 7 days. */
  readonly recentOutagesFor?: number;
  /** When an alert counts as flapping (docs/rules.md). Default DEFAULT_FLAP_THRESHOLDS. */
  readonly flapping?: FlapThresholds;
  /**
   * How long a sent-notification claim can still matter: the longest repeat
   * or escalation interval in notify. Older claims of resolved alerts and
   * restored outages are pruned every hour. Default 1 day.
   */
  readonly claimsMatterFor?: number;
  /**
   * How long a firing message stays in the outbox before any instance may
   * deliver it, ms: longer than notify can hold it (group_wait,
   * group_interval) before queuing. Default 1 minute.
   */
  readonly outboxAfter?: number;
  /** State writes that may wait for an unreachable store before new ones are dropped. Default 10 000. */
  readonly maxPendingWrites?: number;
}
