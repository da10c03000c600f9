import type { AlertTransition } from '../core/alert.js';
import type { StoredAlert } from './state/state-store.js';

/**
 * The alerts that are pending or firing now, as the API and the store see
 * them. Rules decide transitions; this only records where each alert stands.
 */
export class ActiveAlerts {
  private readonly alerts = new Map<string, StoredAlert>();

  load(alerts: readonly StoredAlert[]): void {
    for (const a of alerts) this.alerts.set(a.fingerprint, a);
  }

  /** Records a transition; returns the record to store, or the fingerprint to forget. */
  apply(t: AlertTransition): { put: StoredAlert } | { remove: string } {
    if (t.to !== 'pending' && t.to !== 'firing') {
      this.alerts.delete(t.fingerprint);
      return { remove: t.fingerprint };
    }
    const prior = this.alerts.get(t.fingerprint);
    const alert: StoredAlert = {
      fingerprint: t.fingerprint,
      rule: t.rule,
      series: t.series ?? '',
      state: t.to,
      severity: t.severity,
      labels: t.labels,
      annotations: t.annotations,
      value: Number.isFinite(t.value) ? t.value : null,
      ...(t.threshold !== undefined ? { threshold: t.threshold } : {}),
      ...(t.kpi !== undefined ? { kpi: t.kpi } : {}),
      activeAt: t.activeAt,
      crossedAt: t.crossedAt,
      ...(t.to === 'firing' ? { firedAt: t.at } : {}),
      ...(prior?.acknowledgedAt !== undefined ? { acknowledgedAt: prior.acknowledgedAt, acknowledgedBy: prior.acknowledgedBy! } : {}),
    };
    this.alerts.set(t.fingerprint, alert);
    return { put: alert };
  }

  acknowledge(fingerprint: string, by: string, at: number): StoredAlert | undefined {
    const a = this.alerts.get(fingerprint);
    if (!a) return undefined;
    const acked = { ...a, acknowledgedAt: at, acknowledgedBy: by };
    this.alerts.set(fingerprint, acked);
    return acked;
  }

  /** Forgets an alert without a transition (a cluster handover: another instance carries it on). */
  forget(fingerprint: string): void {
    this.alerts.delete(fingerprint);
  }

  get(fingerprint: string): StoredAlert | undefined {
    return this.alerts.get(fingerprint);
  }

  list(): StoredAlert[] {
    return [...this.alerts.values()];
  }

  /** How many alerts are in each state and severity, for kpid_alerts. */
  counts(): { state: 'pending' | 'firing'; severity: string; count: number }[] {
    const counts = new Map<string, { state: 'pending' | 'firing'; severity: string; count: number }>();
    for (const a of this.alerts.values()) {
      const key = `${a.state}/${a.severity}`;
      const c = counts.get(key) ?? { state: a.state, severity: a.severity, count: 0 };
      c.count++;
      counts.set(key, c);
    }
    return [...counts.values()];
  }
}
