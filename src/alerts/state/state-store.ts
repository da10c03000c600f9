import type { AlertState, Severity } from '../../core/alert.js';
import type { LinksSeenUp } from '../../core/links-seen-up.js';

/**
 * Everything kpid must remember across a restart: alerts that are pending or
 * firing, outages (open and recent, for availability), acknowledgements,
 * silences, which notifications were already sent, so each is sent
 * exactly once, and which links were ever seen up (for the SNMP collector). Two implementations: SqliteStateStore (embedded default)
 * and, for a cluster, Redis; both pass test/helpers/state-store-contract.ts.
 * Every method is async so a networked store fits the same shape.
 */
export interface StateStore extends LinksSeenUp {
  putAlert(alert: StoredAlert): Promise<void>;
  deleteAlert(fingerprint: string): Promise<void>;
  listAlerts(): Promise<StoredAlert[]>;

  putOutage(outage: Outage): Promise<void>;
  getOutage(id: string): Promise<Outage | undefined>;
  /** Outages not yet restored, oldest first. */
  openOutages(): Promise<Outage[]>;
  /** Outages that overlap [from, to): started before `to` and not restored before `from`. */
  outagesBetween(from: number, to: number): Promise<Outage[]>;

  /**
   * Records that notification `id` is being sent. True the first time for
   * that id, false ever after: the exactly-once gate, atomic in every store.
   */
  claimNotification(id: string, at: number): Promise<boolean>;
  /** Forgets claims older than `before` (ids embed their time, so they never recur). */
  pruneNotifications(before: number): Promise<number>;

  putAck(ack: Ack): Promise<void>;
  listAcks(): Promise<Ack[]>;

  putSilence(silence: Silence): Promise<void>;
  deleteSilence(id: string): Promise<boolean>;
  listSilences(): Promise<Silence[]>;

  close(): Promise<void>;
}

export interface StoredAlert {
  readonly fingerprint: string;
  readonly rule: string;
  /** Series key (measurement plus sorted tags) the rule watched. */
  readonly series: string;
  readonly state: Extract<AlertState, 'pending' | 'firing'>;
  readonly severity: Severity;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** NaN (no value, e.g. no_data) is stored as null. */
  readonly value: number | null;
  readonly threshold?: number;
  readonly kpi?: string;
  readonly activeAt: number;
  readonly crossedAt: number;
  /** When it went to firing. */
  readonly firedAt?: number;
  readonly acknowledgedAt?: number;
  readonly acknowledgedBy?: string;
}

export interface Outage {
  readonly id: string;
  readonly service: string;
  /** Labels of the alert that opened it. */
  readonly labels: Readonly<Record<string, string>>;
  /** Fingerprints of the alerts keeping it open. */
  readonly alerts: readonly string[];
  /** When the interruption began (the crossing sample), epoch ms: the SLA clock's zero. */
  readonly startedAt: number;
  /** When kpid declared it (the alert fired). */
  readonly detectedAt: number;
  readonly acknowledgedAt?: number;
  readonly acknowledgedBy?: string;
  readonly restoredAt?: number;
  readonly cause?: string;
  /** Inside planned maintenance: reported apart and excluded from availability. */
  readonly planned: boolean;
  readonly recoveryTarget: number;
  readonly warnAt: readonly number[];
  /** Offsets (ms after start) of the warnings already sent. */
  readonly warningsSent: readonly number[];
  readonly breached: boolean;
}

export interface Ack {
  /** Alert fingerprint or outage id. */
  readonly id: string;
  readonly by: string;
  readonly at: number;
  readonly comment?: string;
}

export interface Silence {
  readonly id: string;
  /** Label equality matchers; an alert matching all is silenced. */
  readonly matchers: Readonly<Record<string, string>>;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly createdBy: string;
  readonly comment?: string;
  /** Planned maintenance: outages inside it are planned. */
  readonly maintenance?: boolean;
  /** Recurring: [startsAt, endsAt) repeats every `every` ms (src/alerts/silences.ts). */
  readonly every?: number;
  /** Recurring: no occurrence starts at or after this time. */
  readonly until?: number;
}
