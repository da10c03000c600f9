import { Registry } from 'prom-client';
import { SilenceKeeper } from '../alerts/silence-keeper.js';
import type { KpidConfig } from '../config/load.js';
import { systemClock, type Clock } from '../core/clock.js';
import { ClockWatch } from './clock-watch.js';
import type { Logger } from '../core/logger.js';
import type { Target } from '../core/target.js';
import { SeriesTracker } from '../metrics/series-tracker.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { defineSilenceMetrics } from '../metrics/silence-metrics.js';
import type { RedisReachability } from './redis-reachability.js';
import { redisUrls } from './redis-urls.js';
import { defineIngestMetrics } from '../metrics/ingest-metrics.js';
import { resolveTargets } from '../targets/targets-options.js';
import type { HttpServer } from '../http/server.js';
import { AckLinkSigner } from './ack-links.js';
import { ClusterStage } from './cluster.js';
import { Collection } from './collection.js';
import { ConfigReader, type ReloadResult } from './config-reader.js';
import type { DaemonOptions } from './daemon-options.js';
import { reloadConfig } from './reload.js';
import { httpServer } from './http.js';
import { defineDaemonMetrics, forgetRemovedTargets, metricsSink, type DaemonMetrics } from './metrics.js';
import { startSinks, stopSinks, type Sinks } from './sinks.js';

export type { ReloadResult } from './config-reader.js';
export type { DaemonOptions } from './daemon-options.js';

/**
 * One running kpid, built from a valid config or not at all. The HTTP server
 * listens first; then the stages start from the end of the pipeline back to
 * its start (storage, notify, rules and alerts, then collection and cluster
 * ownership), so nothing is collected before it has somewhere to go; they
 * stop from the start forwards. A reload builds the new rules and targets
 * first and swaps them in only when all are valid.
 */
export class Daemon {
  readonly registry = new Registry();
  readonly pipeline: Pipeline;
  readonly series: SeriesTracker;
  private readonly all: DaemonMetrics = defineDaemonMetrics(this.registry);
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly reader: ConfigReader;
  private readonly http: HttpServer;
  /** API silences (kept in the state store) and config maintenance windows. */
  private readonly silences: SilenceKeeper;
  private config?: KpidConfig;
  /** `server:` as read at start: listen address and API token change only at a restart (docs/security.md). */
  private server?: KpidConfig['server'];
  private readonly ingestRefused = defineIngestMetrics(this.registry, () => this.collection?.ingestParser?.tracked);
  private readonly sinks: Sinks = {};
  /** Signs one-tap ack links in messages and checks them at /a/<code>. */
  private readonly ackLinks: AckLinkSigner;
  private collection?: Collection;
  private cluster?: ClusterStage;
  private started = false;
  private readonly clockWatch: ClockWatch;
  /** Redis as /readyz sees it: with Redis down at start, kpid must not say ready. */
  private redisReach?: RedisReachability;

  constructor(private readonly o: DaemonOptions) {
    const { clock = systemClock, log } = o;
    this.clock = clock;
    this.log = log;
    this.silences = new SilenceKeeper(clock, log);
    this.ackLinks = new AckLinkSigner(clock);
    this.clockWatch = new ClockWatch({ clock, log, metrics: this.all.kpid });
    defineSilenceMetrics(this.registry, () => this.silences.unreadable.length);
    this.series = new SeriesTracker(clock);
    this.pipeline = new Pipeline(log);
    this.pipeline.add(metricsSink(this.all, this.series));
    this.reader = new ConfigReader(o.configFile, o.env, { clock, log, metrics: this.all.kpid });
    this.http = httpServer({
      clock, log, registry: this.registry, config: () => this.config, ready: () => this.readiness(), reload: (opts) => this.reload(opts),
      apiToken: () => this.server?.api_token,
      ingest: () => this.collection?.ingestParser, publish: (s, lifetime) => this.pipeline.publish(s, lifetime),
      alerts: () => this.sinks.alerting?.runtime, stateStore: () => this.sinks.alerting?.store,
      ackNotifications: (id, by) => this.sinks.notify?.ack(id, by) ?? false,
      silences: () => (this.sinks.alerting ? this.silences : undefined),
      ackCodes: () => this.ackLinks.codes,
      cluster: () => this.cluster?.membership,
    });
  }

  /** Loads config (throwing ConfigError when invalid), starts everything, then polling and serving. */
  async start(): Promise<{ url: string }> {
    const config = (this.config = this.reader.read());
    this.server = config.server;
    const { clock, log, pipeline, registry, all, silences, sinks } = this;
    const addr = await this.http.listen(config.server.listen.host, config.server.listen.port);
    const redis = redisUrls(config);
    // Imported here: ioredis is loaded only when the config names a Redis.
    if (redis.length) this.redisReach = new (await import('./redis-reachability.js')).RedisReachability(redis);
    let started: Awaited<ReturnType<typeof startSinks>>;
    try {
      const { onNotification } = this.o;
      started = await startSinks(config, {
        clock, log, pipeline, metrics: all, silences, listening: addr, ackLinks: this.ackLinks, ...(onNotification ? { onNotification } : {}),
      }, sinks);
    } catch (err) {
      this.started = true;
      await this.stop();
      throw err;
    }
    this.reader.accepted();
    const collection = (this.collection = new Collection(config, {
      clock, log, pipeline, metrics: all.kpid, trapMetrics: all.trap, ingestRefused: (limit) => this.ingestRefused.inc({ limit }),
      linksSeenUp: started.alerting.store,
    }));
    if (config.cluster.enabled) {
      const { scheduler } = collection;
      this.cluster = await ClusterStage.start(config, { clock, log, registry, scheduler, alerting: started.alerting, notifier: started.notify.consumer });
    }
    await collection.applyTraps(config, this.retarget(config));
    this.started = true;
    this.clockWatch.start();
    const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
    log.info({ url, targets: config.targets.length, config: config.file }, 'kpid running');
    return { url };
  }

  /** Re-reads the config and applies what a reload applies (daemon/reload.ts). */
  reload(opts: { force?: boolean } = {}): Promise<ReloadResult> {
    const { reader, sinks, silences, log, collection, config } = this;
    return reloadConfig({
      reader, sinks, silences, log, collection, config, adopt: (next) => (this.config = next), retarget: (next) => this.retarget(next),
    }, opts);
  }

  /** Stops polling (aborting in-flight polls), drains alerting, delivery and storage, and closes the server. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.clockWatch.stop();
    this.redisReach?.close();
    await this.collection?.scheduler.stop();
    // Polling has stopped: the lease can go, and the others take these targets at their next heartbeat.
    await this.cluster?.stop();
    await this.collection?.stopTraps();
    this.silences.stop();
    await stopSinks(this.sinks, this.pipeline);
    await this.collection?.closeCollectors();
    this.series.stop();
    await this.http.close();
    this.log.info('kpid stopped');
  }

  private readiness(): { ok: boolean; reasons: string[]; warnings: string[] } {
    const reasons = [...(this.started ? [] : ['starting']), ...(this.sinks.storage?.notReady() ?? []), ...(this.redisReach?.reasons() ?? [])];
    return { ok: reasons.length === 0, reasons, warnings: this.http.warnings() };
  }

  /** Ingest limits and targets; in a cluster only this instance's share reaches the scheduler. */
  private retarget(config: KpidConfig): Target[] {
    const targets = resolveTargets(config);
    this.collection?.apply(config, targets, this.cluster);
    forgetRemovedTargets(this.series, targets);
    return targets;
  }
}
