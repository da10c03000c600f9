import type { AlertTransition, Notification } from '../core/alert.js';
import type { TimerHandle } from '../core/clock.js';
import { formatDuration } from '../core/duration.js';
import { KpiCatalogue } from '../core/kpi-catalogue.js';
import { ActiveAlerts } from './active-alerts.js';
import { DAY } from './availability.js';
import { DEFAULT_FLAP_THRESHOLDS, FlapDetector } from './flap-detector.js';
import { eachKpiReading } from './kpi-readings.js';
import { NotificationGate } from './notification-gate.js';
import { alertNotification, alertNotificationId, flapEndedNotification, flappingNotification, withOutage } from './notifications.js';
import { OutageKeeper } from './outage-keeper.js';
import { SerialWrites } from './serial-writes.js';
import type { OutboxEntry, StoredAlert } from './state/state-store.js';
import { alertView, kpiView } from './views.js';

export type { NotificationConsumer } from './notification-gate.js';
export type { AlertKeeperOptions, RuleState } from './alert-keeper-options.js';
import type { AlertKeeperOptions } from './alert-keeper-options.js';

/** How often flaps are checked for calm and old claims pruned. */
const SWEEP_EVERY = 60_000;
const PRUNE_EVERY = 60 * 60_000;

/**
 * Everything that follows a transition from the rules: the active alerts,
 * the outages (OutageKeeper, with their SLA clocks), persistence, and
 * notifications, each exactly once through the gate. Cluster handover
 * adopts and releases alerts with their targets.
 */
export class AlertKeeper {
  private catalogue: KpiCatalogue;
  private readonly book = new ActiveAlerts();
  private readonly writes: SerialWrites;
  private readonly gate: NotificationGate;
  private readonly outageKeeper: OutageKeeper;
  private readonly flaps: FlapDetector;
  private sweepTimer: TimerHandle | undefined;
  private lastPrune = -Infinity;
  /** Ids of the firing messages this instance put in the outbox and notify has not queued yet. */
  private readonly outboxed = new Set<string>();

  constructor(private readonly o: AlertKeeperOptions) {
    this.catalogue = o.catalogue ?? new KpiCatalogue();
    this.writes = new SerialWrites({
      ...(o.log ? { log: o.log } : {}), ...(o.maxPendingWrites !== undefined ? { maxPending: o.maxPendingWrites } : {}),
      ...(o.metrics ? { dropped: o.metrics.stateWritesDropped } : {}),
    });
    this.flaps = new FlapDetector(o.flapping ?? DEFAULT_FLAP_THRESHOLDS);
    this.gate = new NotificationGate({ store: o.store, notifier: o.notifier, clock: o.clock, ...(o.log ? { log: o.log } : {}) });
    this.outageKeeper = new OutageKeeper({
      clock: o.clock, store: o.store, writes: this.writes, send: (n) => this.send(n), publish: o.publish,
      ...(o.record ? { record: o.record } : {}),
      ...(o.isPlanned ? { isPlanned: o.isPlanned } : {}), ...(o.recentOutagesFor !== undefined ? { recentOutagesFor: o.recentOutagesFor } : {}),
    });
  }

  /**
   * Loads alerts and outages from the store. Open outages resume from their
   * true start; SLA steps that fell due while kpid was down are sent now, once.
   */
  async start(): Promise<void> {
    const { store, clock, rules } = this.o;
    const now = clock.now();
    const [alerts, open, recent] = await Promise.all([store.listAlerts(), store.openOutages(), store.outagesBetween(now - 62 * DAY, now)]);
    this.book.load(alerts);
    for (const a of alerts) rules.restore(a);
    rules.reschedule();
    this.outageKeeper.start(open, recent);
    const { ledger } = this.outageKeeper;
    this.o.metrics?.readFrom({
      kpis: (each) => eachKpiReading(rules, this.catalogue, ledger, clock.now(), each),
      alertCounts: () => [...this.book.counts(), ...this.flaps.counts()],
      openOutageClocks: () => ledger.openOutages().map((x) => ({
        outage: x.id, service: x.service, remainingSeconds: (x.startedAt + x.recoveryTarget - this.outageKeeper.nowOf(x)) / 1000,
      })),
    });
    this.outageKeeper.feedAvailability();
    this.sweep();
  }

  /** The rules' transitions, in the order they happened. */
  onTransitions(transitions: readonly AlertTransition[]): void {
    if (!transitions.length) return;
    // One poll's writes in one transaction (SQLite): a storm costs one commit per poll, not one per alert.
    this.writes.run(() => this.o.store.beginBatch());
    for (const t of transitions) {
      const change = this.book.apply(t);
      // Filled in below, before the write runs (writes run later, in order): the firing
      // message goes into the store in one transaction with its alert, ahead of the outage.
      let outbox: OutboxEntry | undefined;
      this.writes.run(() => ('put' in change ? this.o.store.putAlert(change.put, outbox) : this.o.store.deleteAlert(change.remove)));
      const flapping = this.flaps.observe(t);
      const plain = alertNotification(t, this.o.rules.rules.find((r) => r.name === t.rule)?.samples);
      // A flapping alert: one message says so, then silence until the sweep finds it stable again.
      const n = plain && flapping ? (this.flaps.announce(t.fingerprint) ? flappingNotification(t, this.flapWords()) : undefined) : plain;
      if (t.to === 'firing') {
        // The ledger first: the page of an alert that opens (or joins) an outage carries its clock and true start.
        const outage = this.outageKeeper.onTransition(t);
        if (!n) continue;
        const now = this.o.clock.now();
        const page = outage && n.kind === 'firing' ? withOutage(n, outage, this.outageKeeper.nowOf(outage)) : n;
        if (page.kind === 'firing') {
          outbox = { notification: page, dueAt: now + (this.o.outboxAfter ?? 60_000) };
          this.outboxed.add(page.id);
        }
        this.send(page);
      } else {
        if (t.from === 'firing') this.handedOver([alertNotificationId(t.fingerprint, t.activeAt, 'firing')]);
        if (n) this.send(n);
        this.outageKeeper.onTransition(t);
      }
    }
    this.writes.run(() => this.o.store.commitBatch());
  }

  /** Whether the alert (by fingerprint) is flapping now. */
  isFlapping(fingerprint: string): boolean {
    return this.flaps.isFlapping(fingerprint);
  }

  /** Notify queued (or dropped) these notifications: their outbox entries are done with. */
  handedOver(ids: readonly string[]): void {
    for (const id of ids) if (this.outboxed.delete(id)) this.writes.run(() => this.o.store.removeOutbox(id));
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
      .map((a) => alertView(a, this.outageKeeper.ledger.byAlert(a.fingerprint)?.id, this.flaps.isFlapping(a.fingerprint)));
  }

  outages() {
    return this.outageKeeper.outages();
  }

  availability() {
    return this.outageKeeper.availability();
  }

  /** Every KPI value known now against its catalogue target (GET /api/v1/kpis; the same readings as kpid_kpi_value). */
  kpis() {
    const now = this.o.clock.now();
    const views: ReturnType<typeof kpiView>[] = [];
    // The reading handed over is refilled for the next one: kpiView copies it.
    eachKpiReading(this.o.rules, this.catalogue, this.outageKeeper.ledger, now, (k) => {
      if (Number.isFinite(k.value)) views.push(kpiView(k, this.catalogue.get(k.kpi)));
    });
    return views.sort((a, b) => a.kpi.localeCompare(b.kpi) || a.scope.localeCompare(b.scope));
  }

  /** Acknowledges an alert (by fingerprint) or an outage (by id); false when neither is known. */
  async acknowledge(id: string, by: string, comment?: string): Promise<boolean> {
    const at = this.o.clock.now();
    const alert = this.book.acknowledge(id, by, at);
    if (alert) this.writes.run(() => this.o.store.putAlert(alert));
    const outage = this.outageKeeper.acknowledge(id, by, at);
    if (!alert && !outage) return false;
    this.writes.run(() => this.o.store.putAck({ id, by, at, ...(comment ? { comment } : {}) }));
    await this.flush();
    return true;
  }

  /** Records what caused an outage, or whether it was planned. */
  async annotateOutage(id: string, change: { cause?: string; planned?: boolean }): Promise<boolean> {
    const known = this.outageKeeper.annotate(id, change);
    await this.flush();
    return known;
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
    this.outageKeeper.adopt(open, new Set(taken.map((a) => a.fingerprint)));
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
    this.o.rules.forget((tags) => targets.has(tags.target ?? ''));
    for (const a of gone) this.book.forget(a.fingerprint);
    this.outageKeeper.release(new Set(gone.map((a) => a.fingerprint)));
  }

  /**
   * Targets removed from the config: their alerts resolve as no longer
   * monitored (a resolved message to whoever got the page) and the outages
   * only they kept open end by the removal, not restored. Unlike a handover,
   * nobody carries them on.
   */
  removeTargets(targets: ReadonlySet<string>): void {
    if (!targets.size) return;
    this.o.rules.retireTargets((tags) => targets.has(tags.target ?? ''), this.book.list());
  }

  /** Resolves when every write so far has reached the store. */
  flush(): Promise<void> {
    return this.writes.flush();
  }

  async stop(): Promise<void> {
    if (this.sweepTimer) this.o.clock.clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    this.outageKeeper.stop();
    this.o.metrics?.readFrom(undefined);
    await this.flush();
  }

  /**
   * Every minute: flaps that calmed down say so once, with the alert's
   * present state. Every hour: claims that can no longer matter are pruned
   * (older than claimsMatterFor, and not of an active alert or open outage).
   */
  private sweep(): void {
    const now = this.o.clock.now();
    for (const f of this.flaps.sweep(now)) if (f.announced) this.send(flapEndedNotification(f.last, f.since, now));
    if (now - this.lastPrune >= PRUNE_EVERY) {
      this.lastPrune = now;
      const keep = [
        ...this.book.list().map((a) => `alert:${a.fingerprint}:`),
        ...this.outageKeeper.ledger.openOutages().map((x) => `outage:${x.id}:`),
      ];
      this.writes.run(() => this.o.store.pruneNotifications(now - (this.o.claimsMatterFor ?? DAY), keep).then(() => undefined));
    }
    this.sweepTimer = this.o.clock.setTimeout(() => this.sweep(), SWEEP_EVERY);
  }

  private flapWords(): string {
    const t = this.o.flapping ?? DEFAULT_FLAP_THRESHOLDS;
    return `more than ${t.startAbove} state changes in ${formatDuration(t.window)}`;
  }

  /** Delivers a notification once ever: the store's claim decides. */
  private send(n: Notification): void {
    this.writes.run(async () => {
      await this.gate.pass(n);
    });
  }
}
