import { createHash } from 'node:crypto';
import { noLongerMonitored, type AlertTransition } from '../core/alert.js';
import { availability, availabilityPeriods, DAY, type AvailabilityFigures } from './availability.js';
import type { Outage } from './state/state-store.js';

/**
 * Every interruption of a service, from its first alert firing to its last
 * resolving: start, detection, acknowledgement, restore, cause,
 * planned/unplanned, and the recovery clock's progress. One open outage per
 * service; further alerts for the same service join it, so availability
 * counts the service down once. Holds the open outages and the last 62 days
 * of closed ones (enough for a rolling 30 days and the calendar month) in
 * memory; the caller persists every change it returns.
 */
export class OutageLedger {
  private readonly open = new Map<string, Outage>();
  private recent: Outage[] = [];

  /** Puts back what the store had at start. */
  load(outages: readonly Outage[]): void {
    for (const o of outages) {
      if (o.restoredAt === undefined) this.open.set(o.service, o);
      else this.recent.push(o);
    }
  }

  /** An alert with an outage policy fired: opens the service's outage or joins the open one. */
  onFiring(t: AlertTransition, planned: boolean): { outage: Outage; opened: boolean } | undefined {
    const policy = t.outage;
    if (!policy) return undefined;
    const current = this.open.get(policy.service);
    if (current) {
      if (current.alerts.includes(t.fingerprint)) return { outage: current, opened: false };
      return { outage: this.replace({ ...current, alerts: [...current.alerts, t.fingerprint] }), opened: false };
    }
    const startedAt = t.evidenceSince ?? (Number.isFinite(t.activeAt) ? t.activeAt : t.at);
    const outage: Outage = {
      id: outageId(policy.service, startedAt),
      service: policy.service,
      labels: { ...t.labels, service: policy.service },
      alerts: [t.fingerprint],
      startedAt,
      detectedAt: t.at,
      planned,
      recoveryTarget: policy.recoveryTarget,
      warnAt: policy.warnAt,
      warningsSent: [],
      breached: false,
    };
    this.open.set(outage.service, outage);
    return { outage, opened: true };
  }

  /**
   * An alert resolved: leaves its outage, which closes when no alert keeps
   * it open: restored, or ended by the removal when the last alert left
   * because its target or rule is no longer monitored. `shift` is how far
   * the outage's own time line runs from the wall clock (ms, 0 unless the
   * wall clock jumped while it was open): the restore is put on the
   * outage's time line, so its duration is the real time it lasted.
   */
  onResolved(t: AlertTransition, shift: (o: Outage) => number = () => 0): { outage: Outage; closed?: 'restored' | 'removal' } | undefined {
    const current = [...this.open.values()].find((o) => o.alerts.includes(t.fingerprint));
    if (!current) return undefined;
    const alerts = current.alerts.filter((f) => f !== t.fingerprint);
    if (alerts.length) return { outage: this.replace({ ...current, alerts }) };
    const removal = noLongerMonitored(t);
    const restoredAt = Math.max(current.startedAt, (removal ? t.at : (t.clearedAt ?? t.at)) + shift(current));
    const closed: Outage = { ...current, alerts, restoredAt, ...(removal ? { endedBy: 'removal' as const } : {}) };
    this.open.delete(current.service);
    this.recent.push(closed);
    return { outage: closed, closed: removal ? 'removal' : 'restored' };
  }

  get(id: string): Outage | undefined {
    return [...this.open.values()].find((o) => o.id === id) ?? this.recent.find((o) => o.id === id);
  }

  /** Open outage that an alert keeps open, if any. */
  byAlert(fingerprint: string): Outage | undefined {
    return [...this.open.values()].find((o) => o.alerts.includes(fingerprint));
  }

  update(id: string, change: (o: Outage) => Outage): Outage | undefined {
    const o = this.get(id);
    if (!o) return undefined;
    const next = change(o);
    if (o.restoredAt === undefined && next.restoredAt === undefined) return this.replace(next);
    this.recent = this.recent.map((x) => (x.id === id ? next : x));
    return next;
  }

  /** Drops an open outage without restoring it (a cluster handover: another instance carries it on). */
  forget(id: string): void {
    for (const [service, o] of this.open) if (o.id === id) this.open.delete(service);
  }

  openOutages(): Outage[] {
    return [...this.open.values()].sort((a, b) => a.startedAt - b.startedAt);
  }

  /** Open outages and those restored since `since`, newest first. */
  list(since: number): Outage[] {
    return [...this.openOutages(), ...this.recent.filter((o) => o.restoredAt! >= since)].sort((a, b) => b.startedAt - a.startedAt);
  }

  services(): string[] {
    return [...new Set([...this.open.keys(), ...this.recent.map((o) => o.service)])].sort();
  }

  availability(service: string, now: number): { rolling30d: AvailabilityFigures; month: AvailabilityFigures } {
    const all = [...this.open.values(), ...this.recent];
    const p = availabilityPeriods(now);
    return {
      rolling30d: availability(all, service, ...p.rolling30d),
      month: availability(all, service, ...p.month),
    };
  }

  /** Forgets closed outages older than 62 days (the store keeps them for reports). */
  prune(now: number): void {
    this.recent = this.recent.filter((o) => o.restoredAt! >= now - 62 * DAY);
  }

  private replace(o: Outage): Outage {
    this.open.set(o.service, o);
    return o;
  }
}

export function outageId(service: string, startedAt: number): string {
  return `o-${createHash('sha256').update(`${service}\u0000${startedAt}`).digest('hex').slice(0, 12)}`;
}
