import { jobId } from './job-id.js';
import type { NotifyOptions, RouteOptions } from './notify-options.js';
import type { Notification } from '../core/alert.js';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { NotifyMetrics } from '../metrics/notify-metrics.js';
import { isResolved, type AlertBatch } from './batch.js';
import { DeliveryError, isRetryable, type Channel, type DeliveryJob, type RenderedMessage } from './delivery.js';
import type { JobQueue } from './queue/job-queue.js';
import { apiBase, type Links } from './links.js';
import { render } from './render.js';
import { renderStormSummary } from './render-storm.js';
import { AggregationGroup, type GroupFlush } from './routing/aggregation-group.js';
import { EscalationLadders, type EscalationStep } from './routing/escalation-ladder.js';
import { nextPage } from './routing/next-page.js';
import { groupKey, groupLabels, matchRoutes } from './routing/route-match.js';
import { StormGate } from './routing/storm-gate.js';
import { StormGuard, type StormSummary } from './storm-guard.js';
import { renderStormSummary as renderGuardSummary } from './storm-summary.js';

export interface NotifierOptions {
  /** Whether an alert with these labels is silenced now (silences, maintenance windows). */
  readonly isSilenced?: (labels: Readonly<Record<string, string>>) => boolean;
  /** server.public_url and the daemon's real listen address, for ack lines and links. */
  readonly links?: Links;
  /**
   * Told the ids of notifications notify is done with: queued (after their
   * group's wait), or dropped because no route or only silenced ones took
   * them. Alerts then forgets their outbox entries.
   */
  readonly onHandedOver?: (ids: readonly string[]) => void;
}

/**
 * Turns Notifications into messages on channels, as a chain of small stages:
 * route → silence → group (wait / interval / repeat) → escalate → storm
 * control → queue → channel. Grouping, escalation and storm timers run on the
 * injected clock; delivery runs in the JobQueue's workers.
 */
export class Notifier {
  private readonly groups = new Map<string, AggregationGroup>();
  private readonly ladders: EscalationLadders;
  private readonly storm?: StormGate;
  private readonly guard: StormGuard;
  /** Channels beyond the routes' own that were told an alert fires (escalation, managers): they hear its end too. */
  private readonly extraTold = new Map<string, Map<string, string>>();
  private readonly adding = new Set<Promise<void>>();

  constructor(
    private readonly config: NotifyOptions,
    private readonly queue: JobQueue,
    private readonly channels: ReadonlyMap<string, Channel>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metrics: NotifyMetrics,
    private readonly options: NotifierOptions = {},
  ) {
    this.ladders = new EscalationLadders(clock, (s) => this.escalate(s));
    this.guard = new StormGuard(clock, config.stormGuard, (s) => this.guardSummary(s));
    if (config.storm) this.storm = new StormGate(clock, config.storm, (c, r, held, start) => this.stormSummary(c, r, held, start));
  }

  async start(): Promise<void> {
    await this.queue.start((job, attempt) => this.send(job, attempt), {
      onRetry: (job, attempt, delay, error) => {
        this.metrics.notifications.inc({ channel: job.channel, result: 'retry' });
        this.logger.warn({ channel: job.channel, job: job.id, attempt, delay, error }, 'notification failed; will retry');
      },
      onDead: (letter) => {
        this.metrics.notifications.inc({ channel: letter.job.channel, result: 'failed' });
        this.metrics.deadLetters.inc({ channel: letter.job.channel });
        this.metrics.deadLetterSize.inc();
        this.logger.error({ channel: letter.job.channel, job: letter.job.id, attempts: letter.attempts, error: letter.error }, 'notification given up; kept in the dead letter');
      },
    });
  }

  /** Routes and schedules one notification. Resolves once its immediate messages are queued. */
  async deliver(n: Notification): Promise<void> {
    const routeIds = matchRoutes(this.config.routes, n);
    if (!routeIds.length) {
      this.logger.debug({ fingerprint: n.fingerprint, kind: n.kind }, 'no route matches; not notified');
      this.options.onHandedOver?.([n.id]);
      return;
    }
    const silenced = this.options.isSilenced?.(n.labels) ?? false;
    if (n.kind === 'firing' || n.kind === 'resolved') {
      this.guard.recordChange();
      // A silenced alert is not announced; its resolution still goes to whoever was told it fired.
      for (const i of routeIds) if (!(silenced && n.kind === 'firing')) this.group(i, n);
      if (silenced && n.kind === 'firing') this.options.onHandedOver?.([n.id]);
      if (n.kind === 'resolved') {
        this.ladders.resolved(n.fingerprint);
        this.tellExtra(n, 'resolved');
      }
    } else if (!(silenced && n.kind !== 'sla_restored')) {
      for (const i of routeIds) this.immediate(i, n);
      if (n.kind === 'sla_breach') this.breach(routeIds, n);
      if (n.kind === 'sla_restored') this.tellExtra(n, 'restored');
      // A flap that ended resolved closes the alert as a resolution would: nobody is paged for it any more.
      if (n.kind === 'flap_ended' && n.endsAt !== undefined) this.ladders.resolved(n.fingerprint);
    }
    await this.settled();
  }

  /** Acknowledges the alert: escalation stops. Returns false when kpid knows nothing of it. */
  ack(fingerprint: string, by: string): boolean {
    const known = this.ladders.ack(fingerprint, by) || this.knows(fingerprint);
    this.logger.info({ fingerprint, by, known }, 'alert acknowledged');
    return known;
  }

  /** Waits for jobs being added to the queue. */
  async settled(): Promise<void> {
    while (this.adding.size) await Promise.allSettled([...this.adding]);
  }

  async close(): Promise<void> {
    for (const g of this.groups.values()) g.cancel();
    this.ladders.close();
    this.storm?.close();
    this.guard.close();
    await this.settled();
    await this.queue.close();
    await Promise.allSettled([...this.channels.values()].map((c) => c.close()));
  }

  /** Without the daemon's links (unit tests), notify.external_url stands in for the public URL. */
  private get links(): Links {
    return this.options.links ?? { localUrl: 'http://127.0.0.1:9464', ...(this.config.externalUrl ? { publicUrl: this.config.externalUrl } : {}) };
  }

  private silenced(n: Notification): boolean {
    return this.options.isSilenced?.(n.labels) ?? false;
  }

  private knows(fingerprint: string): boolean {
    return [...this.groups.values()].some((g) => g.wasTold(fingerprint)) || this.extraTold.has(fingerprint);
  }

  private receiver(i: number, r: RouteOptions): string {
    return r.name ?? `route${i}`;
  }

  private group(i: number, n: Notification): void {
    const route = this.config.routes[i]!;
    const labels = groupLabels(route.groupBy, n.labels);
    // `...` means one group per alert; the fingerprint says which alert, even if two carry equal labels.
    const key = route.groupBy.includes('...') ? `route${i}:${n.fingerprint}` : groupKey(i, labels);
    let g = this.groups.get(key);
    if (!g) {
      g = new AggregationGroup(
        this.clock,
        { groupWait: route.groupWait, groupInterval: route.groupInterval, repeat: route.repeat },
        (flush) => this.flushed(i, key, labels, flush),
      );
      this.groups.set(key, g);
    }
    g.insert(n);
    if (g.idle) this.groups.delete(key);
  }

  private flushed(i: number, key: string, labels: Record<string, string>, flush: GroupFlush): void {
    const route = this.config.routes[i]!;
    // A reminder is not sent for alerts silenced since they were announced
    // (their resolution still is: that is not a repeat).
    const alerts = flush.repeat ? flush.alerts.filter((n) => isResolved(n) || !this.silenced(n)) : flush.alerts;
    if (!alerts.length) return;
    const next = flush.repeat ? undefined : alerts.map((n) => nextPage(this.config, [i], n, this.clock.now())).find(Boolean);
    const batch: AlertBatch = { receiver: this.receiver(i, route), groupKey: key, groupLabels: labels, alerts, repeat: flush.repeat, ...(next ? { next } : {}) };
    // In an alert storm every channel gets one summary per window instead.
    if (this.guard.hold(route.channels, flush.changed)) {
      for (const c of route.channels) this.metrics.notifications.inc({ channel: c, result: 'suppressed' });
      return;
    }
    this.fanOut(batch, route.channels, flush.repeat ? undefined : earliest(flush.changed));
    const handedOver = this.options.onHandedOver;
    if (handedOver) void this.settled().then(() => handedOver(alerts.map((n) => n.id)));
    if (route.escalation) {
      const ladder = this.config.escalations[route.escalation]!;
      for (const n of alerts) if (!isResolved(n)) this.ladders.start(n, route.escalation, ladder);
    }
    const g = this.groups.get(key);
    if (g?.idle) this.groups.delete(key);
  }

  private immediate(i: number, n: Notification): void {
    const route = this.config.routes[i]!;
    const next = nextPage(this.config, [i], n, this.clock.now());
    const batch: AlertBatch = { receiver: this.receiver(i, route), groupKey: `${n.kind}:${n.fingerprint}`, groupLabels: {}, alerts: [n], repeat: 0, ...(next ? { next } : {}) };
    this.fanOut(batch, route.channels, n.crossedAt);
  }

  /** SLA breach: the managers' tier of every matched route's ladder hears it, acked or not. */
  private breach(routeIds: number[], n: Notification): void {
    const managers = new Set<string>();
    for (const i of routeIds) {
      const name = this.config.routes[i]!.escalation;
      if (name) for (const c of this.config.escalations[name]!.slaBreach) managers.add(c);
    }
    if (!managers.size) return;
    this.rememberExtra(n.fingerprint, [...managers], 'sla_breach');
    const batch: AlertBatch = { receiver: 'sla_breach', groupKey: `managers:${n.fingerprint}`, groupLabels: {}, alerts: [n], repeat: 0, note: 'Recovery target missed' };
    this.fanOut(batch, [...managers], n.crossedAt);
  }

  private escalate(s: EscalationStep): void {
    // Silenced since it was announced: nobody is woken up for it.
    if (this.silenced(s.alert)) return;
    const note = `Escalated: not acknowledged after ${Math.round(s.after / 60_000)} min`;
    const alert: Notification = { ...s.alert, kind: 'escalation' };
    this.rememberExtra(s.alert.fingerprint, s.channels, `${s.ladder}/${s.step + 1}`);
    const ladder = this.config.escalations[s.ladder]!.steps[s.step + 1];
    const next = ladder ? { at: this.clock.now() + ladder.after - s.after, who: ladder.channels, unless: 'acked' as const } : undefined;
    const batch: AlertBatch = { receiver: `${s.ladder}/${s.step + 1}`, groupKey: `escalation:${s.ladder}:${s.step}:${s.alert.fingerprint}`, groupLabels: {}, alerts: [alert], repeat: 0, note, ...(next ? { next } : {}) };
    this.fanOut(batch, s.channels, undefined);
  }

  private rememberExtra(fingerprint: string, channels: readonly string[], receiver: string): void {
    const told = this.extraTold.get(fingerprint) ?? new Map<string, string>();
    for (const c of channels) if (!told.has(c)) told.set(c, receiver);
    this.extraTold.set(fingerprint, told);
  }

  /** Whoever heard of the alert through escalation or as a manager hears its end. */
  private tellExtra(n: Notification, why: 'resolved' | 'restored'): void {
    const told = this.extraTold.get(n.fingerprint);
    if (!told) return;
    this.extraTold.delete(n.fingerprint);
    const routeChannels = new Set(matchRoutes(this.config.routes, n).flatMap((i) => this.config.routes[i]!.channels));
    const channels = [...told.keys()].filter((c) => !routeChannels.has(c));
    const batch: AlertBatch = { receiver: 'escalation', groupKey: `${why}:${n.fingerprint}`, groupLabels: {}, alerts: [n], repeat: 0 };
    this.fanOut(batch, channels, n.crossedAt);
  }

  private fanOut(batch: AlertBatch, channelNames: readonly string[], crossedAt: number | undefined): void {
    for (const name of channelNames) {
      const ch = this.channels.get(name);
      if (!ch) {
        this.logger.error({ channel: name }, 'route names a channel that is not configured');
        continue;
      }
      const maxAlerts = this.config.channels[name]?.webhook?.maxAlerts ?? 0;
      const message = render(batch, { links: this.links, now: this.clock.now(), maxAlerts });
      for (const recipient of ch.recipients) {
        if (ch.type === 'sms' && this.storm && !this.storm.admit(name, recipient, batch)) {
          this.metrics.notifications.inc({ channel: name, result: 'suppressed' });
          continue;
        }
        const ids = batch.alerts.map((a) => `${a.fingerprint}/${a.kind}/${a.id}`).sort();
        this.enqueue({ id: jobId([batch.groupKey, String(batch.repeat), ...ids], name, recipient), channel: name, recipient, message, crossedAt });
      }
    }
  }

  private stormSummary(channel: string, recipient: string, held: AlertBatch[], windowStart: number): void {
    const message: RenderedMessage = renderStormSummary(held, this.config.storm!.window, { links: this.links, now: this.clock.now() });
    this.enqueue({ id: jobId(['storm', String(windowStart)], channel, recipient), channel, recipient, message });
  }

  private guardSummary(s: StormSummary): void {
    const ch = this.channels.get(s.channel);
    if (!ch) return;
    const message = renderGuardSummary(s, { externalUrl: apiBase(this.links), maxAlerts: this.config.channels[s.channel]?.webhook?.maxAlerts ?? 0 });
    this.logger.warn({ channel: s.channel, alerts: s.alerts.length, last: s.last }, 'alert storm: summary instead of one message per alert');
    for (const recipient of ch.recipients) this.enqueue({ id: jobId(['storm-guard', String(s.windowStart)], s.channel, recipient), channel: s.channel, recipient, message });
  }

  private enqueue(job: DeliveryJob): void {
    const p = this.queue
      .add(job)
      .catch((err) => this.logger.error({ channel: job.channel, job: job.id, err: errorMessage(err) }, 'could not queue a notification'))
      .finally(() => this.adding.delete(p));
    this.adding.add(p);
  }

  /** The queue worker: one job to one recipient on one channel. */
  private async send(job: DeliveryJob, _attempt: number): Promise<void> {
    const ch = this.channels.get(job.channel);
    if (!ch) throw new DeliveryError(job.channel, false, `channel "${job.channel}" is no longer configured`);
    try {
      await ch.send(job.message, job.recipient);
    } catch (err) {
      throw err instanceof DeliveryError ? err : new DeliveryError(job.channel, isRetryable(err), errorMessage(err));
    }
    this.metrics.notifications.inc({ channel: job.channel, result: 'sent' });
    if (job.crossedAt !== undefined) {
      this.metrics.deliverySeconds.observe({ channel: job.channel }, Math.max(0, this.clock.now() - job.crossedAt) / 1000);
    }
  }
}

function earliest(ns: readonly Notification[]): number | undefined {
  return ns.length ? Math.min(...ns.map((n) => n.crossedAt)) : undefined;
}
