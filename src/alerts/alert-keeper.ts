import type { AlertTransition, Notification } from '../core/alert.js';
export type { NotificationConsumer } from './notification-gate.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Sample } from '../core/sample.js';
import type { KpiMetrics } from '../metrics/kpi-metrics.js';
import { KpiCatalogue } from '../core/kpi-catalogue.js';
import type { RuleRunner } from '../rules/rule-runner.js';
import { ActiveAlerts } from './active-alerts.js';
import { DAY } from './availability.js';
import { kpiReadings } from './kpi-readings.js';
import { NotificationGate, withStepRecorded, type NotificationConsumer } from './notification-gate.js';
import { alertNotification, restoredNotification, slaNotification } from './notifications.js';
import { OutageLedger } from './outage-ledger.js';
import { SlaClock, type SlaStep } from './sla-clock.js';
import type { Outage, StateStore, StoredAlert } from './state/state-store.js';
import { alertView, availabilityView, outageView } from './views.js';

const AVAILABILITY_REFRESH = 5 * 60_000;

/** What alerts asks of the rules stage: carry alerts on (restart, handover), drop handed-over series, read KPI values. */
export type RuleState = Pick<RuleRunner, 'restore' | 'reschedule' | 'forget' | 'readings'>;

export interface AlertKeeperOptions {
  readonly clock: Clock;
  readonly rules: RuleState;
  /** Where derived samples (availability) go: back into the pipeline, like any other sample. */
  readonly publish: (samples: readonly Sample[]) => void;
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
}

/**
 * Everything that follows a transition from the rules: the alert book, the
 * outage ledger and its SLA clocks, persistence, and notifications (each
 * exactly once, through the store). SLA steps run on the injected clock.
 */
export class AlertKeeper {
  private catalogue: KpiCatalogue;
  private readonly book = new ActiveAlerts();
  private readonly ledger = new OutageLedger();
  private readonly clocks = new Map<string, SlaClock>();
  private chain: Promise<void> = Promise.resolve();
  private running = false;
  private availabilityTimer: TimerHandle | undefined;
  private readonly gate: NotificationGate;

  constructor(private readonly o: AlertKeeperOptions) {
    this.gate = new NotificationGate({ store: o.store, notifier: o.notifier, clock: o.clock, ...(o.log ? { log: o.log } : {}) });
    this.catalogue = o.catalogue ?? new KpiCatalogue();
  }

  /**
   * Loads alerts and outages from the store. Open outages resume from their
   * true start; SLA steps that fell due while kpid was down are sent now, once.
   */
  async start(): Promise<void> {
    const now = this.o.clock.now();
    const [alerts, open, recent] = await Promise.all([
      this.o.store.listAlerts(), this.o.store.openOutages(), this.o.store.outagesBetween(now - 62 * DAY, now),
    ]);
    this.book.load(alerts);
    for (const a of alerts) this.o.rules.restore(a);
    this.o.rules.reschedule();
    const seen = new Set(open.map((x) => x.id));
    this.ledger.load([...open, ...recent.filter((x) => !seen.has(x.id))]);
    this.running = true;
    for (const outage of this.ledger.openOutages()) this.startClock(outage);
    this.o.metrics?.readFrom({
      kpis: () => kpiReadings(this.o.rules.readings(), this.catalogue, this.ledger, this.o.clock.now()),
      alertCounts: () => this.book.counts(),
      openOutageClocks: () => this.ledger.openOutages().map((x) => ({
        outage: x.id, service: x.service, remainingSeconds: (x.startedAt + x.recoveryTarget - this.o.clock.now()) / 1000,
      })),
    });
    this.feedAvailability();
    this.persist(() => this.o.store.pruneNotifications(now - 90 * DAY).then(() => undefined));
  }

  /** The rules' transitions, in the order they happened. */
  onTransitions(transitions: readonly AlertTransition[]): void {
    this.handle(transitions);
  }

  /** The alerts pending or firing now: what a new rule set carries over. */
  activeAlerts(): readonly StoredAlert[] {
    return this.book.list();
  }

  /** The catalogue of a reloaded config (kpis: overrides), for kpid_kpi_compliant. */
  setCatalogue(catalogue: KpiCatalogue): void {
    this.catalogue = catalogue;
  }

  alerts() {
    return this.book.list()
      .sort((a, b) => a.activeAt - b.activeAt)
      .map((a) => alertView(a, this.ledger.byAlert(a.fingerprint)?.id));
  }

  outages() {
    const now = this.o.clock.now();
    return this.ledger.list(now - (this.o.recentOutagesFor ?? 7 * DAY)).map((x) => outageView(x, now));
  }

  availability() {
    const now = this.o.clock.now();
    return this.ledger.services().map((s) => availabilityView(s, this.ledger.availability(s, now)));
  }

  /** Acknowledges an alert (by fingerprint) or an outage (by id); false when neither is known. */
  async acknowledge(id: string, by: string, comment?: string): Promise<boolean> {
    const at = this.o.clock.now();
    const alert = this.book.acknowledge(id, by, at);
    if (alert) this.persist(() => this.o.store.putAlert(alert));
    const outage = this.ledger.get(id) ?? this.ledger.byAlert(id);
    if (outage && outage.acknowledgedAt === undefined) {
      this.saveOutage(this.ledger.update(outage.id, (x) => ({ ...x, acknowledgedAt: at, acknowledgedBy: by })));
    }
    if (!alert && !outage) return false;
    this.persist(() => this.o.store.putAck({ id, by, at, ...(comment ? { comment } : {}) }));
    await this.flush();
    return true;
  }

  /** Records what caused an outage, or whether it was planned. */
  async annotateOutage(id: string, change: { cause?: string; planned?: boolean }): Promise<boolean> {
    const updated = this.ledger.update(id, (x) => ({ ...x, ...change }));
    this.saveOutage(updated);
    await this.flush();
    return updated !== undefined;
  }

  /**
   * Cluster handover, targets gained: their alerts that another instance
   * left pending or firing in the store are carried on here without being
   * announced again, and the open outages they keep open join this ledger
   * with their SLA clocks (whose steps the store lets out once). Await it
   * before polling those targets, so their first samples meet the alert.
   */
  async adoptTargets(targets: ReadonlySet<string>): Promise<void> {
    if (!targets.size) return;
    await this.flush();
    const [alerts, open] = await Promise.all([this.o.store.listAlerts(), this.o.store.openOutages()]);
    const taken = alerts.filter((a) => targets.has(a.labels.target ?? '') && !this.book.get(a.fingerprint) && this.o.rules.restore(a));
    this.book.load(taken);
    const fingerprints = new Set(taken.map((a) => a.fingerprint));
    for (const outage of open) {
      if (!outage.alerts.some((f) => fingerprints.has(f)) || this.ledger.get(outage.id)) continue;
      if (this.ledger.openOutages().some((x) => x.service === outage.service)) continue;
      this.ledger.load([outage]);
      if (this.running) this.startClock(outage);
    }
    this.o.rules.reschedule();
  }

  /**
   * Cluster handover, targets lost: their alerts and the outages only they
   * keep open leave this instance silently (no resolve, no more SLA steps);
   * they stay in the store for the new owner.
   */
  releaseTargets(targets: ReadonlySet<string>): void {
    if (!targets.size) return;
    const gone = this.book.list().filter((a) => targets.has(a.labels.target ?? ''));
    const fingerprints = new Set(gone.map((a) => a.fingerprint));
    this.o.rules.forget((tags) => targets.has(tags.target ?? ''));
    for (const a of gone) this.book.forget(a.fingerprint);
    for (const outage of this.ledger.openOutages()) {
      if (!outage.alerts.every((f) => fingerprints.has(f))) continue;
      this.clocks.get(outage.id)?.stop();
      this.clocks.delete(outage.id);
      this.ledger.forget(outage.id);
    }
  }

  /** Resolves when every write so far has reached the store. */
  flush(): Promise<void> {
    return this.chain;
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.availabilityTimer !== undefined) this.o.clock.clearTimeout(this.availabilityTimer);
    this.availabilityTimer = undefined;
    for (const c of this.clocks.values()) c.stop();
    this.clocks.clear();
    this.o.metrics?.readFrom(undefined);
    await this.flush();
  }

  private handle(transitions: readonly AlertTransition[]): void {
    for (const t of transitions) {
      const change = this.book.apply(t);
      this.persist(() => ('put' in change ? this.o.store.putAlert(change.put) : this.o.store.deleteAlert(change.remove)));
      const n = alertNotification(t);
      if (n) this.send(n);
      if (t.to === 'firing' && t.outage) {
        const r = this.ledger.onFiring(t, this.o.isPlanned?.(t.labels, t.activeAt) ?? false);
        if (r) {
          this.saveOutage(r.outage);
          if (r.opened) {
            this.startClock(r.outage);
            this.feedAvailability();
          }
        }
      } else if (t.from === 'firing') {
        const r = this.ledger.onResolved(t);
        if (r) {
          this.saveOutage(r.outage);
          if (r.restored) {
            this.clocks.get(r.outage.id)?.stop();
            this.clocks.delete(r.outage.id);
            this.send(restoredNotification(r.outage));
            this.feedAvailability();
          }
        }
      }
    }
  }

  private startClock(outage: Outage): void {
    const clock = new SlaClock(this.o.clock, () => this.ledger.get(outage.id) ?? outage, (step) => this.onSlaStep(outage.id, step));
    this.clocks.set(outage.id, clock);
    clock.start();
  }

  private onSlaStep(id: string, step: SlaStep): void {
    const updated = this.ledger.update(id, (x) => withStepRecorded(x, step));
    if (!updated) return;
    this.send(slaNotification(updated, step, this.o.clock.now()));
    this.saveOutage(updated);
  }

  /** Delivers a notification once ever: the store's claim decides. */
  private send(n: Notification): void {
    this.persist(async () => {
      await this.gate.pass(n);
    });
  }

  private saveOutage(o: Outage | undefined): void {
    if (o) this.persist(() => this.o.store.putOutage(o));
  }

  /** Store writes run one after another, in the order the changes happened. */
  private persist(write: () => Promise<void>): void {
    this.chain = this.chain.then(write).catch((err) => {
      this.o.log?.error({ err: errorMessage(err) }, 'state store write failed');
    });
  }

  /**
   * Feeds each service's availability (rolling 30 days, from the ledger)
   * back into the pipeline as a `kpi` sample, so rules on kpi: availability
   * judge it like any pushed KPI. Refreshed every 5 minutes while an outage
   * is open, because that is when it falls.
   */
  private feedAvailability(): void {
    if (this.availabilityTimer !== undefined) this.o.clock.clearTimeout(this.availabilityTimer);
    this.availabilityTimer = undefined;
    if (!this.running) return;
    const now = this.o.clock.now();
    const samples: Sample[] = this.ledger.services().map((service) => ({
      measurement: 'kpi',
      tags: { kpi: 'availability', scope: service },
      fields: { value: this.ledger.availability(service, now).rolling30d.availability },
      time: now,
    }));
    if (samples.length) this.o.publish(samples);
    if (this.ledger.openOutages().length) {
      this.availabilityTimer = this.o.clock.setTimeout(() => this.feedAvailability(), AVAILABILITY_REFRESH);
    }
  }

}
