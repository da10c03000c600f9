import type { AlertTransition, Notification } from '../core/alert.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Sample } from '../core/sample.js';
import type { KpiMetrics } from '../metrics/kpi-metrics.js';
import type { Sink } from '../pipeline/pipeline.js';
import { createEngineState, evaluate, forgetSeries, restoreAlert, tick, type EngineState } from '../rules/engine.js';
import { KpiCatalogue } from '../core/kpi-catalogue.js';
import type { CompiledRule } from '../rules/rule.js';
import { AlertBook } from './alert-book.js';
import { DAY } from './availability.js';
import { kpiReadings } from './kpi-readings.js';
import { ledgerSamples } from './ledger-samples.js';
import { alertNotification, restoredNotification, slaNotification, withOutage } from './notifications.js';
import { OutageLedger } from './outage-ledger.js';
import { SlaClock, type SlaStep } from './sla-clock.js';
import type { Outage, StateStore, StoredAlert } from './state-store.js';
import { alertView, availabilityView, outageView } from './views.js';

const AVAILABILITY_REFRESH = 5 * 60_000;

/** What src/notify offers: takes a notification and owns its delivery from then on. */
export interface NotificationConsumer {
  /** May return a promise (notify's Notifier queues asynchronously); a rejection is logged, never thrown. */
  deliver(n: Notification): void | Promise<void>;
}

export interface AlertRuntimeOptions {
  readonly clock: Clock;
  readonly rules: readonly CompiledRule[];
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
  /** Where the ledger's series go (the store): outage durations and availability, whenever availability is refreshed. */
  readonly record?: (samples: readonly Sample[]) => void;
}

/**
 * The rule engine as a pipeline sink, with everything that follows a
 * transition: the alert book, the outage ledger and its SLA clocks,
 * persistence, and notifications (each exactly once, through the store).
 * Rules run as samples arrive; `for`, `no_data` and SLA steps run on the
 * injected clock.
 */
export class AlertRuntime implements Sink {
  readonly name = 'rules';
  private engine: EngineState;
  private catalogue: KpiCatalogue;
  private readonly book = new AlertBook();
  private readonly ledger = new OutageLedger();
  private readonly clocks = new Map<string, SlaClock>();
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;
  private chain: Promise<void> = Promise.resolve();
  private running = false;
  private availabilityTimer: TimerHandle | undefined;
  private recordedAt = -Infinity;

  constructor(private readonly o: AlertRuntimeOptions) {
    this.engine = createEngineState(o.rules);
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
    for (const a of alerts) this.restore(this.engine, a);
    const seen = new Set(open.map((x) => x.id));
    this.ledger.load([...open, ...recent.filter((x) => !seen.has(x.id))]);
    this.running = true;
    for (const outage of this.ledger.openOutages()) this.startClock(outage);
    this.o.metrics?.readFrom({
      kpis: () => kpiReadings(this.engine, this.catalogue, this.ledger, this.o.clock.now()),
      alertCounts: () => this.book.counts(),
      openOutageClocks: () => this.ledger.openOutages().map((x) => ({
        outage: x.id, service: x.service, remainingSeconds: (x.startedAt + x.recoveryTarget - this.o.clock.now()) / 1000,
      })),
    });
    this.schedule();
    this.feedAvailability();
    this.persist(() => this.o.store.pruneNotifications(now - 90 * DAY).then(() => undefined));
  }

  write(samples: readonly Sample[]): void {
    const { transitions } = evaluate(this.engine, samples, this.o.clock.now());
    if (transitions.length) this.handle(transitions);
    this.schedule();
  }

  /**
   * Swaps in a new rule set (the loader has already validated it). Alerts
   * whose rule still exists carry over without being announced again; the
   * others resolve.
   */
  replaceRules(rules: readonly CompiledRule[], catalogue?: KpiCatalogue): void {
    const next = createEngineState(rules);
    const now = this.o.clock.now();
    const gone: AlertTransition[] = [];
    for (const a of this.book.list()) {
      if (this.restore(next, a)) continue;
      gone.push({
        fingerprint: a.fingerprint, rule: a.rule, from: a.state, to: a.state === 'firing' ? 'resolved' : 'inactive',
        labels: a.labels, annotations: a.annotations, severity: a.severity, value: a.value ?? NaN,
        activeAt: a.activeAt, crossedAt: a.crossedAt, at: now, series: a.series, reason: 'rule_removed',
      });
    }
    this.engine = next;
    if (catalogue) this.catalogue = catalogue;
    if (gone.length) this.handle(gone);
    this.timerAt = Infinity;
    this.schedule();
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
    const taken = alerts.filter((a) => targets.has(a.labels.target ?? '') && !this.book.get(a.fingerprint) && this.restore(this.engine, a));
    this.book.load(taken);
    const fingerprints = new Set(taken.map((a) => a.fingerprint));
    for (const outage of open) {
      if (!outage.alerts.some((f) => fingerprints.has(f)) || this.ledger.get(outage.id)) continue;
      if (this.ledger.openOutages().some((x) => x.service === outage.service)) continue;
      this.ledger.load([outage]);
      if (this.running) this.startClock(outage);
    }
    this.timerAt = Infinity;
    this.schedule();
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
    forgetSeries(this.engine, (tags) => targets.has(tags.target ?? ''));
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
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.availabilityTimer !== undefined) this.o.clock.clearTimeout(this.availabilityTimer);
    this.availabilityTimer = undefined;
    for (const c of this.clocks.values()) c.stop();
    this.clocks.clear();
    this.o.metrics?.readFrom(undefined);
    await this.flush();
  }

  private restore(engine: EngineState, a: StoredAlert): boolean {
    return restoreAlert(engine, a.rule, a.series, a);
  }

  private handle(transitions: readonly AlertTransition[]): void {
    for (const t of transitions) {
      const change = this.book.apply(t);
      this.persist(() => ('put' in change ? this.o.store.putAlert(change.put) : this.o.store.deleteAlert(change.remove)));
      const n = alertNotification(t, this.engine.rules.find((r) => r.name === t.rule)?.samples);
      const opened = t.to === 'firing' && t.outage ? this.ledger.onFiring(t, this.o.isPlanned?.(t.labels, t.activeAt) ?? false) : undefined;
      // The page of an alert that opens (or joins) an outage carries its clock and true start.
      if (n) this.send(opened ? withOutage(n, opened.outage, this.o.clock.now()) : n);
      if (t.to === 'firing' && t.outage) {
        if (opened) {
          const r = opened;
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
    const updated = this.ledger.update(id, (x) => step.kind === 'breach'
      ? { ...x, breached: true }
      : { ...x, warningsSent: [...x.warningsSent, step.offset].sort((a, b) => a - b) });
    if (!updated) return;
    this.send(slaNotification(updated, step, this.o.clock.now()));
    this.saveOutage(updated);
  }

  /** Delivers a notification once ever: the store's claim decides. */
  private send(n: Notification): void {
    this.persist(async () => {
      if (!(await this.o.store.claimNotification(n.id, this.o.clock.now()))) return;
      // Not awaited: store writes must not queue behind delivery.
      Promise.resolve(this.o.notifier.deliver(n)).catch((err) => {
        this.o.log?.error({ err: errorMessage(err), notification: n.id }, 'notify refused a notification');
      });
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

  private schedule(): void {
    if (!this.running) return;
    const due = this.engine.nextDeadline;
    if (due >= this.timerAt) return;
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = due;
    if (due === Infinity) return;
    this.timer = this.o.clock.setTimeout(() => this.onTimer(), due - this.o.clock.now());
  }

  private onTimer(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    if (!this.running) return;
    const { transitions } = tick(this.engine, this.o.clock.now());
    if (transitions.length) this.handle(transitions);
    this.schedule();
  }

  /**
   * Feeds each service's availability (rolling 30 days, from the ledger)
   * back into the rules as a `kpi` sample, so rules on kpi: availability
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
    if (this.o.record && samples.length) {
      this.o.record(ledgerSamples(this.ledger, now, this.recordedAt));
      this.recordedAt = now;
    }
    if (samples.length) {
      const { transitions } = evaluate(this.engine, samples, now);
      if (transitions.length) this.handle(transitions);
      this.schedule();
    }
    if (this.ledger.openOutages().length) {
      this.availabilityTimer = this.o.clock.setTimeout(() => this.feedAvailability(), AVAILABILITY_REFRESH);
    }
  }

}
