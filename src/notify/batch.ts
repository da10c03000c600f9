import type { Notification } from '../core/alert.js';

/** One message's worth of alerts, as decided by routing and grouping. */
export interface AlertBatch {
  /** Name of the route (or escalation step) that decided it; Alertmanager's `receiver`. */
  readonly receiver: string;
  readonly groupKey: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  /** Firing alerts first, then resolved ones. */
  readonly alerts: readonly Notification[];
  /** A line above the alerts, e.g. why this is an escalation. */
  readonly note?: string;
  /** Resends of an unchanged group; part of job ids so a repeat is sent again. */
  readonly repeat: number;
  /** Who is paged next if nobody acts, and when: what the on-call engineer has to beat. */
  readonly next?: NextPage;
}

export interface NextPage {
  /** Epoch ms. */
  readonly at: number;
  /** Channel names (escalation tier, the managers' tier). */
  readonly who: readonly string[];
  /** What stops it: an ack (escalation) or the service coming back (SLA breach). */
  readonly unless: 'acked' | 'restored';
}

export function isResolved(n: Notification): boolean {
  // A flap that ended resolved says so with endsAt; one that ended firing has none.
  return n.kind === 'resolved' || n.kind === 'sla_restored' || (n.kind === 'flap_ended' && n.endsAt !== undefined);
}

export function batchStatus(b: AlertBatch): 'firing' | 'resolved' {
  return b.alerts.some((a) => !isResolved(a)) ? 'firing' : 'resolved';
}

/** The earliest threshold crossing among `ns`: where a message's delivery latency starts. */
export function earliest(ns: readonly Notification[]): number | undefined {
  return ns.length ? Math.min(...ns.map((n) => n.crossedAt)) : undefined;
}
