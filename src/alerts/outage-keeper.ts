import type { AlertTransition, Notification } from '../core/alert.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import { CLOCK_JUMP_THRESHOLD_MS } from '../core/clock-jumps.js';
import type { Sample } from '../core/sample.js';
import { DAY } from './availability.js';
import { ledgerSamples } from './ledger-samples.js';
import { withStepRecorded } from './notification-gate.js';
import { restoredNotification, slaNotification } from './notifications.js';
import { OutageLedger } from './outage-ledger.js';
import type { SerialWrites } from './serial-writes.js';
import { SlaClock, type SlaStep } from './sla-clock.js';
import type { Outage, StateStore } from './state/state-store.js';
import { availabilityView, outageView } from './views.js';

const AVAILABILITY_REFRESH = 5 * 60_000;

export interface OutageKeeperOptions {
  readonly clock: Clock;
  readonly store: StateStore;
  readonly writes: SerialWrites;
  /** Sends a notification once ever (the alert keeper's gate). */
  readonly send: (n: Notification) => void;
  /** Where availability readings go: back into the pipeline. */
  readonly publish: (samples: readonly Sample[]) => void;
  /** Where the ledger's series go (the store): outage durations and availability, whenever availability is refreshed. */
  readonly record?: (samples: readonly Sample[]) => void;
  readonly isPlanned?: (labels: Readonly<Record<string, string>>, at: number) => boolean;
  /** How long restored outages stay in outages(), ms. Default 7 days. */
  readonly recentOutagesFor?: number;
}

/**
 * The outage ledger and what runs on it: one SLA clock per open outage, and
 * each service's availability fed back as a `kpi` sample. Outages open and
 * restore on the firing and resolving of rules with `outage:`.
 */
export class OutageKeeper {
  readonly ledger = new OutageLedger();
  private readonly clocks = new Map<string, SlaClock>();
  private running = false;
  private feedTimer: TimerHandle | undefined;
  private recordedAt = -Infinity;

  constructor(private readonly o: OutageKeeperOptions) {}

  /** Open outages resume from their true start; SLA steps that fell due while kpid was down go out now, once. */
  start(open: readonly Outage[], recent: readonly Outage[]): void {
    const seen = new Set(open.map((x) => x.id));
    this.ledger.load([...open, ...recent.filter((x) => !seen.has(x.id))]);
    this.running = true;
    for (const outage of this.ledger.openOutages()) this.startClock(outage);
  }

  stop(): void {
    this.running = false;
    if (this.feedTimer !== undefined) this.o.clock.clearTimeout(this.feedTimer);
    this.feedTimer = undefined;
    for (const c of this.clocks.values()) c.stop();
    this.clocks.clear();
  }

  /**
   * The outage side of a transition: a firing alert opens or joins an
   * outage (returned, so its page can carry the clock), a resolved one may
   * restore it.
   */
  onTransition(t: AlertTransition): Outage | undefined {
    if (t.to === 'firing' && t.outage) {
      const r = this.ledger.onFiring(t, this.o.isPlanned?.(t.labels, t.activeAt) ?? false);
      if (!r) return undefined;
      if (!r.opened) {
        this.save(r.outage);
        return r.outage;
      }
      this.open(r.outage);
      this.startClock(r.outage);
      this.feedAvailability();
      return r.outage;
    } else if (t.from === 'firing') {
      const r = this.ledger.onResolved(t, (o) => this.nowOf(o) - this.o.clock.now());
      if (!r) return undefined;
      this.save(r.outage);
      if (r.closed) {
        this.stopClock(r.outage.id);
        // An outage ended by removal was never seen to recover: no sla_restored.
        if (r.closed === 'restored') this.o.send(restoredNotification(r.outage));
        this.feedAvailability();
      }
    }
    return undefined;
  }

  outages() {
    const now = this.o.clock.now();
    return this.ledger.list(now - (this.o.recentOutagesFor ?? 7 * DAY)).map((x) => outageView(x, this.nowOf(x)));
  }

  /**
   * An open outage's own now: its start plus the real time since
   * (docs/time.md). The wall clock, unless the wall clock jumped while the
   * outage was open; then durations and time left are taken against this.
   */
  nowOf(o: Outage): number {
    const wall = this.o.clock.now();
    const own = this.clocks.get(o.id)?.now();
    return own === undefined || Math.abs(own - wall) <= CLOCK_JUMP_THRESHOLD_MS ? wall : Math.round(own);
  }

  availability() {
    const now = this.o.clock.now();
    return this.ledger.services().map((s) => availabilityView(s, this.ledger.availability(s, now)));
  }

  /** Acknowledges the outage with this id, or the one this alert keeps open; false when there is none. */
  acknowledge(id: string, by: string, at: number): boolean {
    const outage = this.ledger.get(id) ?? this.ledger.byAlert(id);
    if (outage && outage.acknowledgedAt === undefined) {
      // On the outage's own time line, so time to acknowledge is never negative after a clock jump.
      const when = Math.max(outage.startedAt, at + this.nowOf(outage) - this.o.clock.now());
      this.save(this.ledger.update(outage.id, (x) => ({ ...x, acknowledgedAt: when, acknowledgedBy: by })));
    }
    return outage !== undefined;
  }

  annotate(id: string, change: { cause?: string; planned?: boolean }): boolean {
    const updated = this.ledger.update(id, (x) => ({ ...x, ...change }));
    this.save(updated);
    return updated !== undefined;
  }

  /** Cluster handover: open outages kept open by adopted alerts join this ledger, with their clocks. */
  adopt(open: readonly Outage[], alerts: ReadonlySet<string>): void {
    for (const outage of open) {
      if (!outage.alerts.some((f) => alerts.has(f)) || this.ledger.get(outage.id)) continue;
      if (this.ledger.openOutages().some((x) => x.service === outage.service)) continue;
      this.ledger.load([outage]);
      if (this.running) this.startClock(outage);
    }
  }

  /** Cluster handover: open outages kept open only by released alerts leave silently. */
  release(alerts: ReadonlySet<string>): void {
    for (const outage of this.ledger.openOutages()) {
      if (!outage.alerts.every((f) => alerts.has(f))) continue;
      this.stopClock(outage.id);
      this.ledger.forget(outage.id);
    }
  }

  /**
   * Feeds each service's availability (rolling 30 days, from the ledger)
   * back into the pipeline as a `kpi` sample, so rules on kpi: availability
   * judge it like any pushed KPI. Refreshed every 5 minutes while an outage
   * is open, because that is when it falls.
   */
  feedAvailability(): void {
    if (this.feedTimer !== undefined) this.o.clock.clearTimeout(this.feedTimer);
    this.feedTimer = undefined;
    if (!this.running) return;
    const now = this.o.clock.now();
    const samples: Sample[] = this.ledger.services().map((service) => ({
      measurement: 'kpi',
      tags: { kpi: 'availability', scope: service },
      fields: { value: this.ledger.availability(service, now).rolling30d.availability },
      time: now,
    }));
    if (samples.length) this.o.publish(samples);
    if (this.o.record && samples.length) {
      this.o.record(ledgerSamples(this.ledger, now, this.recordedAt, (o) => this.nowOf(o)));
      this.recordedAt = now;
    }
    if (this.ledger.openOutages().length) {
      this.feedTimer = this.o.clock.setTimeout(() => this.feedAvailability(), AVAILABILITY_REFRESH);
    }
  }

  private startClock(outage: Outage): void {
    const clock = new SlaClock(this.o.clock, () => this.ledger.get(outage.id) ?? outage, (step) => this.onSlaStep(outage.id, step));
    this.clocks.set(outage.id, clock);
    clock.start();
  }

  private stopClock(id: string): void {
    this.clocks.get(id)?.stop();
    this.clocks.delete(id);
  }

  private onSlaStep(id: string, step: SlaStep): void {
    const updated = this.ledger.update(id, (x) => withStepRecorded(x, step));
    if (!updated) return;
    this.o.send(slaNotification(updated, step, this.nowOf(updated)));
    this.save(updated);
  }

  /**
   * Stores a newly opened outage through the store's atomic open: when
   * another instance (feeding the same service from another target) opened
   * one first, ours joins it, so the service has one outage and one clock.
   */
  private open(o: Outage): void {
    this.o.writes.run(async () => {
      const stored = await this.o.store.openOutage(o);
      if (stored.id === o.id) return;
      const ours = this.ledger.get(o.id);
      if (!ours || ours.restoredAt !== undefined) return;
      this.stopClock(o.id);
      this.ledger.forget(o.id);
      const joined = { ...stored, alerts: [...new Set([...stored.alerts, ...ours.alerts])] };
      this.ledger.load([joined]);
      if (this.running) this.startClock(joined);
    });
  }

  private save(o: Outage | undefined): void {
    if (o) this.o.writes.run(() => this.o.store.putOutage(o));
  }
}
