import { Registry } from 'prom-client';
import { ConfigError } from './config/config-error.js';
import { loadConfig, type Env, type KpidConfig } from './config/load.js';
import { reloadRefusal, ReloadRefused } from './config/reload-guard.js';
import { loadRuleFiles } from './rules/rule-files.js';
import type { Notification } from './core/alert.js';
import { systemClock, type Clock } from './core/clock.js';
import { errorMessage } from './core/errors.js';
import type { Logger } from './core/logger.js';
import type { Target } from './core/target.js';
import type { CollectorRegistry } from './collectors/collector.js';
import { createCollectors } from './collectors/registry.js';
import { ingestLimits, PushIngest } from './collectors/ingest/push-ingest.js';
import { defineIngestMetrics } from './collectors/ingest/ingest-metrics.js';
import { TrapReceiver } from './collectors/trap/trap-receiver.js';
import { defineMetrics, type KpidMetrics } from './metrics/definitions.js';
import { MetricsSink, type MeasurementMapper } from './metrics/metrics-sink.js';
import { probeMappers } from './metrics/probe-mapper.js';
import { defineSnmpMetrics, interfaceMappers } from './metrics/interface-metrics.js';
import { SeriesTracker } from './metrics/series-tracker.js';
import { defineTrapMetrics } from './metrics/trap-metrics.js';
import { defineStoreMetrics } from './metrics/store-metrics.js';
import { defineKpiMetrics } from './metrics/kpi-metrics.js';
import { defineNotifyMetrics } from './metrics/notify-metrics.js';
import { defineSilenceMetrics } from './metrics/silence-metrics.js';
import { RedisReachability, redisUrls } from './cluster/redis-reachability.js';
import { Pipeline } from './pipeline/pipeline.js';
import { Scheduler } from './scheduler/scheduler.js';
import { resolveTargets } from './targets/targets.js';
import { InfluxStore } from './store/influx-store.js';
import { influxStoreOptions } from './store/store-options.js';
import { Alerting } from './alerts/alerting.js';
import { Silences } from './alerts/silence-keeper.js';
import type { NotificationConsumer } from './alerts/alert-runtime.js';
import { createNotifier } from './notify/create-notifier.js';
import type { Notifier } from './notify/notifier.js';
import { HttpServer } from './http/server.js';
import { KpiRollup } from './store/kpi-rollup.js';
import { reportRoute } from './report/report-route.js';
import { reportSourceFor } from './report/report-inputs.js';
import { KpiCatalogue } from './core/kpi-catalogue.js';
import { apiRoutes } from './http/api-routes.js';
// Cluster mode (issue 8).
import { ClusterMode } from './cluster/cluster-mode.js';
import { RedisStateStore } from './cluster/redis-state-store.js';

export interface DaemonOptions {
  readonly configFile: string;
  readonly log: Logger;
  readonly env?: Env;
  readonly clock?: Clock;
  /** Collectors to use instead of the built-in ones (tests, the demo). */
  readonly collectors?: CollectorRegistry;
  /** Receives every notification as well as the channels (the demo prints them). */
  readonly onNotification?: (n: Notification) => void;
}

export interface ReloadResult {
  readonly ok: boolean;
  readonly errors: readonly string[];
  /** The config was valid but removes most targets or every rule; `force` applies it. */
  readonly refused?: boolean;
}

/**
 * One running kpid, composed in pipeline order: config → scheduler →
 * collectors → pipeline → metrics, store and alerting → notify; and the
 * HTTP server. Built from a valid config or not at all. A reload builds the
 * new rules and targets first and swaps them in only when all are valid.
 */
export class Daemon {
  readonly registry = new Registry();
  readonly metrics: KpidMetrics;
  readonly pipeline: Pipeline;
  readonly series = new SeriesTracker();
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly collectors: CollectorRegistry;
  private readonly http: HttpServer;
  private readonly trapMetrics = defineTrapMetrics(this.registry);
  private readonly storeMetrics = defineStoreMetrics(this.registry);
  private readonly kpiMetrics = defineKpiMetrics(this.registry);
  private readonly notifyMetrics = defineNotifyMetrics(this.registry);
  private readonly ingestRefused = defineIngestMetrics(this.registry, () => this.ingest?.tracked);
  private config!: KpidConfig;
  /** `server:` as read at start: listen address and API token change only at a restart (docs/security.md). */
  private server?: KpidConfig['server'];
  private scheduler?: Scheduler;
  private ingest?: PushIngest;
  private trapReceiver?: TrapReceiver;
  /** The InfluxDB sink, when storage.influx is configured (changes apply at the next restart). */
  private store?: InfluxStore;
  private notifier?: Notifier;
  private alerting?: Alerting;
  /** Cluster mode: decides which targets this instance polls (config cluster.enabled). */
  private cluster?: ClusterMode;
  private ownedNames = new Set<string>();
  private handovers: Promise<void> = Promise.resolve();
  /** Daily KPI rollup for the embedded compliance report (SQLite state only). */
  private rollup?: KpiRollup;
  /** API silences (kept in the state store) and config maintenance windows. */
  private readonly silences: Silences;
  private started = false;
  /** Redis as /readyz sees it (issue 14 §10: with Redis down at start, kpid said ready). */
  private redisReach?: RedisReachability;
  /** What alerting hands notifications to (kept for cluster mode's SLA sweeper). */
  private consumer?: NotificationConsumer;

  constructor(private readonly o: DaemonOptions) {
    this.clock = o.clock ?? systemClock;
    this.log = o.log;
    this.silences = new Silences(this.clock, this.log);
    defineSilenceMetrics(this.registry, () => this.silences.unreadable.length);
    this.metrics = defineMetrics(this.registry);
    this.pipeline = new Pipeline(this.log);
    this.collectors = o.collectors ?? createCollectors(this.log);
    const snmpMetrics = defineSnmpMetrics(this.registry);
    const mappers = new Map<string, MeasurementMapper>([...probeMappers(this.metrics), ...interfaceMappers(snmpMetrics)]);
    this.pipeline.add(new MetricsSink(mappers, this.series));
    // Built once: every dependency is read lazily, so the list never goes stale.
    const routes = apiRoutes({
      registry: this.registry,
      ready: () => this.readiness(),
      reload: async (opts) => ({ ...(await this.reload(opts)), targets: this.config.targets.length }),
      ingest: () => this.ingest && { parser: this.ingest, maxBodyBytes: this.config.ingest.max_body_bytes },
      publish: (s) => this.pipeline.publish(s),
      alerting: () => this.alerting?.runtime,
      ackNotifications: (id, by) => this.notifier?.ack(id, by) ?? false,
      silences: () => (this.alerting ? this.silences : undefined),
    }).concat(reportRoute({
      catalogue: () => new KpiCatalogue(this.config.kpis),
      store: () => this.alerting?.store,
      samples: () => reportSourceFor(this.config),
      clock: this.clock,
    }));
    this.http = new HttpServer({ apiToken: () => this.server?.api_token, log: this.log, routes: () => routes });
  }

  get currentConfig(): KpidConfig {
    return this.config;
  }

  /** Loads config (throwing ConfigError when invalid), starts everything, then polling and serving. */
  async start(): Promise<{ url: string }> {
    this.config = this.loadOrCount();
    this.server = this.config.server;
    const { host, port } = this.config.server.listen;
    const addr = await this.http.listen(host, port);
    this.redisReach = new RedisReachability(redisUrls(this.config));
    try {
      await this.startStore(this.config);
      await this.startAlerting(this.config);
    } catch (err) {
      this.started = true;
      await this.stop();
      throw err;
    }
    this.metrics.configReloadSuccess.set(1);
    this.metrics.configReloadTime.set(this.clock.now() / 1000);
    this.scheduler = new Scheduler({
      clock: this.clock,
      collectors: this.collectors,
      concurrency: this.config.defaults.concurrency,
      publish: (s) => this.pipeline.publish(s),
      metrics: this.metrics,
      log: this.log,
      // Cluster mode: a target handed between instances keeps its phase on the wall clock.
      alignToClock: this.config.cluster.enabled,
    });
    // --- cluster mode (issue 8): only this instance's share of the targets reaches the scheduler.
    if (this.config.cluster.enabled) {
      this.cluster = await ClusterMode.start(this.config.cluster, {
        clock: this.clock, log: this.log, registry: this.registry, onOwnedChange: (owned) => this.handOver(owned),
      });
      if (this.alerting && 'redis' in this.config.state) this.cluster.startSlaSweeper(this.alerting.store, this.consumer!);
      else this.log.warn('cluster.enabled with state: { sqlite }: alerts, outages and "sent once" are per instance; use state: { redis } in a cluster');
    }
    // --- end cluster mode
    this.apply(this.config);
    await this.applyTraps(this.config);
    this.started = true;
    const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
    this.log.info({ url, targets: this.config.targets.length, config: this.config.file }, 'kpid running');
    return { url };
  }

  /**
   * Re-reads the config file and rule files. Anything invalid leaves the
   * running setup in place, logs every error and sets
   * kpid_config_last_reload_success to 0.
   */
  async reload(opts: { force?: boolean } = {}): Promise<ReloadResult> {
    let next: KpidConfig;
    try {
      next = this.loadOrCount();
      if (!opts.force) this.refuseAccidents(next);
      this.alerting?.reload(next);
    } catch (err) {
      const errors = err instanceof ConfigError ? err.message.split('\n') : [errorMessage(err)];
      const refused = err instanceof ReloadRefused;
      this.metrics.configReloadSuccess.set(0);
      this.log.error({ errors }, `config reload ${refused ? 'refused' : 'rejected'}; the previous config keeps running`);
      return { ok: false, errors, ...(refused ? { refused } : {}) };
    }
    const previous = this.config;
    for (const key of ['server', 'storage', 'state', 'queue', 'notify', 'cluster'] as const) {
      if (JSON.stringify(next[key]) !== JSON.stringify(previous[key])) {
        this.log.warn({ section: key }, `${key} changed; it takes effect at the next restart`);
      }
    }
    this.apply(next);
    this.silences.setMaintenance(next.maintenance);
    this.silences.maxAhead = next.silences.max_ahead;
    this.config = next;
    try {
      await this.applyTraps(next, previous);
    } catch (err) {
      this.log.error({ err: errorMessage(err) }, 'trap receiver could not be restarted');
    }
    this.metrics.configReloadSuccess.set(1);
    this.metrics.configReloadTime.set(this.clock.now() / 1000);
    this.log.info({ targets: next.targets.length }, 'config reloaded');
    return { ok: true, errors: [] };
  }

  /** Throws ReloadRefused when `next` drops more than half the targets or every rule (an emptied or truncated file). */
  private refuseAccidents(next: KpidConfig): void {
    const rulesNow = this.alerting?.rules.rules.length ?? 0;
    const rulesNext = rulesNow ? loadRuleFiles(next.rules, { kpis: next.kpis }).rules.length : 0;
    const reason = reloadRefusal({ targets: this.config.targets, rules: rulesNow }, { targets: next.targets, rules: rulesNext });
    if (reason) throw new ReloadRefused(reason);
  }

  /** Stops polling (aborting in-flight polls), drains alerting, delivery and storage, and closes the server. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.redisReach?.close();
    await this.scheduler?.stop();
    // Cluster mode: polling has stopped; give the lease up so the others take these targets at their next heartbeat.
    await this.cluster?.stop();
    await this.trapReceiver?.close();
    this.silences.stop();
    if (this.alerting) {
      this.pipeline.remove('rules');
      await this.alerting.close();
    }
    await this.notifier?.close();
    if (this.store) {
      this.pipeline.remove(this.store.name);
      // Flushes within its own time bound; what InfluxDB did not take stays in the spool.
      await this.store.close();
    }
    if (this.rollup) {
      this.pipeline.remove(this.rollup.name);
      this.rollup.close();
    }
    await Promise.allSettled([...this.collectors.values()].map((c) => c.close?.()));
    await this.http.close();
    this.log.info('kpid stopped');
  }

  private readiness(): { ok: boolean; reasons: string[]; warnings: string[] } {
    const reasons: string[] = [];
    if (!this.started) reasons.push('starting');
    if (this.store && !this.store.status().reachable) reasons.push('InfluxDB unreachable (samples are spooled)');
    reasons.push(...(this.redisReach?.reasons() ?? []));
    return { ok: reasons.length === 0, reasons, warnings: this.http.warnings() };
  }

  /** Starts the InfluxDB writer; an unreachable InfluxDB does not stop kpid (samples spool). */
  private async startStore(config: KpidConfig): Promise<void> {
    if ('sqlite' in config.state) {
      // Kept whatever the time-series mode, so the embedded report always has its days.
      this.rollup = new KpiRollup(config.state.sqlite);
      this.pipeline.add(this.rollup);
    }
    const influx = config.storage.influx;
    if (!influx) return;
    const store = new InfluxStore(influxStoreOptions(influx), { clock: this.clock, log: this.log, metrics: this.storeMetrics });
    await store.start();
    this.store = store;
    this.pipeline.add(store);
    this.log.info({ url: influx.url, database: influx.database, spool: influx.spool.dir }, 'writing samples to InfluxDB');
  }

  /** Notify first (alerting hands it what it resumes), then the rules and the outage ledger. */
  private async startAlerting(config: KpidConfig): Promise<void> {
    this.silences.setMaintenance(config.maintenance);
    this.silences.maxAhead = config.silences.max_ahead;
    if (config.notify) {
      this.notifier = createNotifier(config.notify, config.queue, {
        clock: this.clock, logger: this.log, metrics: this.notifyMetrics, options: { isSilenced: this.silences.isSilenced },
      });
      await this.notifier.start();
    }
    const notifier: NotificationConsumer = this.consumer = {
      deliver: (n) => {
        this.o.onNotification?.(n);
        if (this.notifier) void this.notifier.deliver(n);
        else this.log.info({ kind: n.kind, severity: n.severity, labels: n.labels }, `notification (no notify channels configured): ${n.summary}`);
      },
    };
    this.alerting = await Alerting.start(config, {
      clock: this.clock, log: this.log, metrics: this.kpiMetrics, notifier,
      isPlanned: this.silences.isPlanned, beforeResume: (store) => this.silences.attach(store),
      // The SLA dashboard reads outages and availability from InfluxDB.
      record: (samples) => this.store?.write(samples),
      // Cluster mode: alerts, outages and notification claims are shared in Redis.
      ...('redis' in config.state ? { store: new RedisStateStore(config.state.redis, { log: this.log }) } : {}),
    });
    this.pipeline.add(this.alerting.runtime);
  }

  private loadOrCount(): KpidConfig {
    try {
      const cfg = loadConfig(this.o.configFile, this.o.env);
      this.metrics.configErrors.set(0);
      return cfg;
    } catch (err) {
      this.metrics.configErrors.set(err instanceof ConfigError ? err.issues.length : 1);
      throw err;
    }
  }

  /**
   * Cluster mode: this instance's share changed. Lost targets stop polling
   * at once and their alerts leave the rule engine silently; gained ones
   * start polling once their alerts and outages were taken over from the
   * store, so the new owner neither re-fires nor resolves them.
   */
  private handOver(owned: readonly Target[]): void {
    const names = new Set(owned.map((t) => t.name));
    const gained = new Set([...names].filter((n) => !this.ownedNames.has(n)));
    const lost = new Set([...this.ownedNames].filter((n) => !names.has(n)));
    this.ownedNames = names;
    this.scheduler?.update(owned.filter((t) => !gained.has(t.name)));
    this.alerting?.runtime.releaseTargets(lost);
    this.handovers = this.handovers
      .then(() => this.alerting?.runtime.adoptTargets(gained))
      .catch((err) => this.log.error({ err: errorMessage(err) }, 'cluster handover: could not take over alerts from the store'))
      .then(() => {
        if (this.cluster) this.scheduler?.update(this.cluster.ownership.ownedTargets());
      });
  }

  private apply(config: KpidConfig): void {
    const limits = ingestLimits(config.ingest);
    if (this.ingest) this.ingest.setLimits(limits);
    else this.ingest = new PushIngest(limits, this.clock, (limit) => this.ingestRefused.inc({ limit }));
    const targets = resolveTargets(config);
    const names = new Set(targets.map((t) => t.name));
    // Cluster mode: the cluster hands this instance's share to the scheduler.
    if (this.cluster) this.cluster.setTargets(targets);
    else this.scheduler?.update(targets);
    for (const t of this.series.targets()) if (t && !names.has(t)) this.series.forgetTarget(t);
  }

  /** Starts, restarts (when its settings changed) or stops the trap receiver. */
  private async applyTraps(config: KpidConfig, previous?: KpidConfig): Promise<void> {
    const targets = resolveTargets(config);
    if (previous && JSON.stringify(previous.traps) === JSON.stringify(config.traps)) {
      await this.trapReceiver?.setTargets(targets);
      return;
    }
    if (this.trapReceiver) {
      this.pipeline.remove('trap-interfaces');
      await this.trapReceiver.close();
      this.trapReceiver = undefined;
    }
    if (!config.traps) return;
    const receiver = new TrapReceiver({
      config: config.traps, clock: this.clock, log: this.log, metrics: this.trapMetrics,
      publish: (s) => this.pipeline.publish(s),
    });
    await receiver.start();
    await receiver.setTargets(targets);
    this.trapReceiver = receiver;
    // A linkDown trap names an ifIndex; the polled samples say which interface that is.
    this.pipeline.add({ name: 'trap-interfaces', write: (s) => receiver.interfaces.learn(s) });
  }
}
