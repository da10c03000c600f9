import type { AlertState, Notification, Severity } from '../../core/alert.js';
import type { LinksSeenUp } from '../../core/links-seen-up.js';
import type { RuleMemory } from '../../core/rule-memory.js';

/**
 * Everything kpid must remember across a restart: alerts that are pending or
 * firing, outages (open and recent, for availability), acknowledgements,
 * silences, which notifications were already sent, so each is sent
 * exactly once, which links were ever seen up (for the SNMP collector), and
 * what the trend and baseline rules have learnt (core/rule-memory.ts). Two implementations: SqliteStateStore (embedded default)
 * and, for a cluster, Redis; both pass test/helpers/state-store-contract.ts.
 * Every method is async so a networked store fits the same shape.
 */
export interface StateStore extends LinksSeenUp, RuleMemory {
  /**
   * Stores an alert; with `outbox`, the notification announcing it is
   * written in the same transaction, so an instance killed before notify
   * queued it leaves it for another to deliver (issue 14 §6).
   */
  putAlert(alert: StoredAlert, outbox?: OutboxEntry): Promise<void>;
  deleteAlert(fingerprint: string): Promise<void>;
  listAlerts(): Promise<StoredAlert[]>;

  putOutage(outage: Outage): Promise<void>;
  /**
   * Opens `outage` unless its service already has an open outage (opened
   * by any writer of this store); then the alerts of `outage` join that
   * one. Atomic; returns the outage open for the service afterwards.
   */
  openOutage(outage: Outage): Promise<Outage>;
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
  /**
   * Forgets claims older than `before` (ids embed their time, so they never
   * recur), except those whose id starts with one of `keep` (an active
   * alert's, an open outage's). Returns how many were forgotten.
   */
  pruneNotifications(before: number, keep?: readonly string[]): Promise<number>;

  /**
   * Brackets the writes of one batch (one poll's transitions): SQLite commits
   * them in one transaction; Redis writes each atomically as it comes, so
   * there they do nothing. Batches are not nested.
   */
  beginBatch(): Promise<void>;
  commitBatch(): Promise<void>;

  /** Outbox entries due at or before `now` (their writer should have queued them by then), oldest first. */
  overdueOutbox(now: number): Promise<OutboxEntry[]>;
  /** Forgets an outbox entry: its notification was handed to the queue. */
  removeOutbox(id: string): Promise<void>;

  putAck(ack: Ack): Promise<void>;
  listAcks(): Promise<Ack[]>;

  putSilence(silence: Silence): Promise<void>;
  deleteSilence(id: string): Promise<boolean>;
  /** Rows that cannot be used are left out and passed to `onUnreadable` (src/alerts/stored-silence.ts). */
  listSilences(onUnreadable?: (bad: UnreadableSilence) => void): Promise<Silence[]>;

  /**
   * The secret kept under `name` (the ack link key): `candidate` is stored
   * if none is yet, atomically, so instances starting together all get the
   * one that was stored first.
   */
  keepSecret(name: string, candidate: string): Promise<string>;

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
  /**
   * When it closed, epoch ms: restored, or ended by the removal of its
   * target or rule from the config (`endedBy: 'removal'`). Unset while open.
   */
  readonly restoredAt?: number;
  /** 'removal': closed because kpid stopped monitoring it, not because service came back. */
  readonly endedBy?: 'removal';
  readonly cause?: string;
  /** Inside planned maintenance: reported apart and excluded from availability. */
  readonly planned: boolean;
  readonly recoveryTarget: number;
  readonly warnAt: readonly number[];
  /** Offsets (ms after start) of the warnings already sent. */
  readonly warningsSent: readonly number[];
  readonly breached: boolean;
}

/** A notification waiting to be handed to notify's queue, keyed by the notification's id. */
export interface OutboxEntry {
  readonly notification: Notification;
  /** From when any instance may deliver it, epoch ms: the writer should have queued it by then. */
  readonly dueAt: number;
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

/** A stored silence kpid could not use: its key in the store and why. */
export interface UnreadableSilence {
  readonly id: string;
  readonly reason: string;
}
