import { jobId } from './job-id.js';
import type { NotifierOptions, NotifyOptions, RouteOptions } from './notify-options.js';
import type { Notification } from '../core/alert.js';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { NotifyMetrics } from '../metrics/notify-metrics.js';
import { earliest, isResolved, type AlertBatch } from './batch.js';
import type { Channel, DeliveryJob, RenderedMessage } from './delivery.js';
import { startDelivery } from './queue-worker.js';
import type { JobQueue } from './queue/job-queue.js';
import { ChannelSet, type BuildChannels } from './channels/channel-set.js';
import { apiBase, type Links } from './links.js';
import { render } from './render.js';
import { renderStormSummary } from './render-storm.js';
import { AggregationGroup, type GroupFlush } from './routing/aggregation-group.js';
import { EscalationLadders, type EscalationStep } from './routing/escalation-ladder.js';
import { nextPage } from './routing/next-page.js';
import { groupKey, groupLabels, matchRoutes } from './routing/route-match.js';
import { StormGate, type StormOptions } from './routing/storm-gate.js';
import { ToldBeyondRoutes } from './routing/told-beyond-routes.js';
import { StormGuard, type StormSummary } from './storm-guard.js';
import { renderStormSummary as renderGuardSummary } from './storm-summary.js';

/**
 * Turns Notifications into messages on channels, as a chain of small stages:
 * route → silence → group (wait / interval / repeat) → escalate → storm
 * control → queue → channel. Grouping, escalation and storm timers run on the
 * injected clock; delivery runs in the JobQueue's workers.
 */
export class Notifier {
  /** Groups by key; a key starts with the routes' generation (a reload that changes routes starts a new one). */
  private readonly groups = new Map<string, AggregationGroup>();
  private generation = 0;
  private readonly channels: ChannelSet;
  private readonly ladders: EscalationLadders;
  private storm?: StormGate;
  private readonly guard: StormGuard;
  private readonly extraTold = new ToldBeyondRoutes();
  private readonly adding = new Set<Promise<void>>();

  constructor(
    private config: NotifyOptions,
    private readonly queue: JobQueue,
    channels: ReadonlyMap<string, Channel>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metrics: NotifyMetrics,
    private readonly options: NotifierOptions = {},
  ) {
    this.channels = new ChannelSet(config.channels, channels);
    this.ladders = new EscalationLadders(clock, (s) => this.escalate(s));
    this.guard = new StormGuard(clock, config.stormGuard, (s) => this.guardSummary(s));
    if (config.storm) this.storm = this.stormGate(config.storm);
  }

  /**
   * Applies a reloaded notify: section. Nothing queued or in flight is lost
   * or sent twice (ChannelSet). An alert already announced keeps the route it
   * was announced on until it resolves, so its reminders and its resolution
   * reach whoever was told; new alerts follow the new routes.
   */
  reconfigure(options: NotifyOptions, build: BuildChannels): void {
    const { changed, added, removed } = this.channels.replace(options.channels, build);
    if (JSON.stringify(options.routes) !== JSON.stringify(this.config.routes)) this.generation++;
    if (options.storm && this.storm) this.storm.configure(options.storm);
    else if (options.storm) this.storm = this.stormGate(options.storm);
    // Without storm: the old gate still sends the summary of what it holds, at its window's end.
    else this.storm = undefined;
    this.guard.configure(options.stormGuard);
    this.config = options;
    this.logger.info({ changed, added, removed, routes: options.routes.length }, 'notify reconfigured');
  }

  async start(): Promise<void> {
    await startDelivery(this.queue, this.channels, { clock: this.clock, logger: this.logger, metrics: this.metrics });
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
      if (n.kind === 'resolved') this.resolveInEarlierRoutes(n);
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
    await this.channels.close();
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

  /** Held for a storm summary: counted, not sent. */
  private suppressed(channels: readonly string[]): void {
    for (const ch of channels) this.metrics.notifications.inc({ channel: ch, result: 'suppressed' });
  }

  private receiver(i: number, r: RouteOptions): string {
    return r.name ?? `route${i}`;
  }

  private group(i: number, n: Notification): void {
    const route = this.config.routes[i]!;
    const labels = groupLabels(route.groupBy, n.labels);
    // `...` means one group per alert; the fingerprint says which alert, even if two carry equal labels.
    const key = `g${this.generation}:${route.groupBy.includes('...') ? `route${i}:${n.fingerprint}` : groupKey(i, labels)}`;
    let g = this.groups.get(key);
    if (!g) {
      g = new AggregationGroup(
        this.clock,
        { groupWait: route.groupWait, groupInterval: route.groupInterval, repeat: route.repeat },
        (flush) => this.flushed(i, route, key, labels, flush),
      );
      this.groups.set(key, g);
    }
    g.insert(n);
    if (g.idle) this.groups.delete(key);
  }

  /** Routes changed at a reload: an alert announced before resolves in the group that announced it. */
  private resolveInEarlierRoutes(n: Notification): void {
    const current = `g${this.generation}:`;
    for (const [key, g] of this.groups) {
      if (key.startsWith(current) || !g.wasTold(n.fingerprint)) continue;
      g.insert(n);
      if (g.idle) this.groups.delete(key);
    }
  }

  /** `route` is the one the group was made for, even if a reload has changed the routes since. */
  private flushed(i: number, route: RouteOptions, key: string, labels: Record<string, string>, flush: GroupFlush): void {
    // A reminder is not sent for alerts silenced since they were announced
    // (their resolution still is: that is not a repeat).
    const alerts = flush.repeat ? flush.alerts.filter((n) => isResolved(n) || !this.silenced(n)) : flush.alerts;
    if (!alerts.length) return;
    const next = flush.repeat || !key.startsWith(`g${this.generation}:`) ? undefined : alerts.map((n) => nextPage(this.config, [i], n, this.clock.now())).find(Boolean);
    const batch: AlertBatch = { receiver: this.receiver(i, route), groupKey: key, groupLabels: labels, alerts, repeat: flush.repeat, ...(next ? { next } : {}) };
    // In an alert storm every channel gets one summary per window instead.
    if (this.guard.hold(route.channels, flush.changed)) return this.suppressed(route.channels);
    this.fanOut(batch, route.channels, flush.repeat ? undefined : earliest(flush.changed));
    const handedOver = this.options.onHandedOver;
    if (handedOver) void this.settled().then(() => handedOver(alerts.map((n) => n.id)));
    if (route.escalation) {
      const ladder = this.config.escalations[route.escalation];
      if (ladder) for (const n of alerts) if (!isResolved(n)) this.ladders.start(n, route.escalation, ladder);
    }
    const g = this.groups.get(key);
    if (g?.idle) this.groups.delete(key);
  }

  private immediate(i: number, n: Notification): void {
    const route = this.config.routes[i]!;
    if (this.guard.holdImmediate(route.channels, n)) return this.suppressed(route.channels);
    const next = nextPage(this.config, [i], n, this.clock.now());
    const batch: AlertBatch = { receiver: this.receiver(i, route), groupKey: `${n.kind}:${n.fingerprint}`, groupLabels: {}, alerts: [n], repeat: 0, ...(next ? { next } : {}) };
    this.fanOut(batch, route.channels, n.crossedAt);
  }

  /** SLA breach: the managers' tier of every matched route's ladder hears it, acked or not. */
  private breach(routeIds: number[], n: Notification): void {
    const managers = new Set<string>();
    for (const i of routeIds) {
      const name = this.config.routes[i]!.escalation;
      if (name) for (const c of this.config.escalations[name]?.slaBreach ?? []) managers.add(c);
    }
    if (!managers.size) return;
    this.extraTold.remember(n.fingerprint, [...managers], 'sla_breach');
    const batch: AlertBatch = { receiver: 'sla_breach', groupKey: `managers:${n.fingerprint}`, groupLabels: {}, alerts: [n], repeat: 0, note: 'Recovery target missed' };
    this.fanOut(batch, [...managers], n.crossedAt);
  }

  private escalate(s: EscalationStep): void {
    // Silenced since it was announced: nobody is woken up for it.
    if (this.silenced(s.alert)) return;
    const note = `Escalated: not acknowledged after ${Math.round(s.after / 60_000)} min`;
    const alert: Notification = { ...s.alert, kind: 'escalation' };
    this.extraTold.remember(s.alert.fingerprint, s.channels, `${s.ladder}/${s.step + 1}`);
    const ladder = this.config.escalations[s.ladder]?.steps[s.step + 1];
    const next = ladder ? { at: this.clock.now() + ladder.after - s.after, who: ladder.channels, unless: 'acked' as const } : undefined;
    const batch: AlertBatch = { receiver: `${s.ladder}/${s.step + 1}`, groupKey: `escalation:${s.ladder}:${s.step}:${s.alert.fingerprint}`, groupLabels: {}, alerts: [alert], repeat: 0, note, ...(next ? { next } : {}) };
    this.fanOut(batch, s.channels, undefined);
  }

  /** Whoever heard of the alert through escalation or as a manager hears its end. */
  private tellExtra(n: Notification, why: 'resolved' | 'restored'): void {
    const told = this.extraTold.take(n.fingerprint);
    if (!told.length) return;
    const routeChannels = new Set(matchRoutes(this.config.routes, n).flatMap((i) => this.config.routes[i]!.channels));
    const channels = told.filter((c) => !routeChannels.has(c));
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

  private stormGate(opts: StormOptions): StormGate {
    const gate: StormGate = new StormGate(this.clock, opts, (c, r, held, start) => this.stormSummary(c, r, held, start, gate.window));
    return gate;
  }

  private stormSummary(channel: string, recipient: string, held: AlertBatch[], windowStart: number, window: number): void {
    const message: RenderedMessage = renderStormSummary(held, window, { links: this.links, now: this.clock.now() });
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
}
