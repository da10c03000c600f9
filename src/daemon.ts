import { Registry } from 'prom-client';
import { ConfigError } from './config/config-error.js';
import { loadConfig, type Env, type KpidConfig } from './config/load.js';
import { systemClock, type Clock } from './core/clock.js';
import { errorMessage } from './core/errors.js';
import type { Logger } from './core/logger.js';
import type { CollectorRegistry } from './collectors/collector.js';
import { createCollectors } from './collectors/registry.js';
import { defineMetrics, type KpidMetrics } from './metrics/definitions.js';
import { MetricsSink, type MeasurementMapper } from './metrics/metrics-sink.js';
import { probeMappers } from './metrics/probe-mapper.js';
import { defineSnmpMetrics, interfaceMappers } from './metrics/interface-metrics.js';
import { SeriesTracker } from './metrics/series-tracker.js';
import { Pipeline } from './pipeline/pipeline.js';
import { Scheduler } from './scheduler/scheduler.js';
import { resolveTargets } from './targets/targets.js';
import { HttpServer } from './http/server.js';
import type { Route } from './http/router.js';
import { HttpError } from './http/http-error.js';
import { IngestRefused, PushIngest } from './collectors/ingest/push-ingest.js';
import { TrapReceiver } from './collectors/trap/trap-receiver.js';
import { defineTrapMetrics } from './metrics/trap-metrics.js';
import { defineStoreMetrics } from './metrics/store-metrics.js';
import { InfluxStore } from './store/influx-store.js';
import { influxStoreOptions } from './store/store-options.js';

export interface DaemonOptions {
  readonly configFile: string;
  readonly log: Logger;
  readonly env?: Env;
  readonly clock?: Clock;
  /** Collectors to use instead of the built-in ones (tests). */
  readonly collectors?: CollectorRegistry;
}

export interface ReloadResult {
  readonly ok: boolean;
  readonly errors: readonly string[];
}

/**
 * One running kpid: config → scheduler → collectors → pipeline → sinks, and
 * the HTTP server. Built from a valid config or not at all; a reload builds
 * the new setup first and swaps it in only when it is valid.
 */
export class Daemon {
  readonly registry = new Registry();
  readonly metrics: KpidMetrics;
  readonly pipeline: Pipeline;
  readonly series = new SeriesTracker();
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly collectors: CollectorRegistry;
  private scheduler?: Scheduler;
  private readonly http: HttpServer;
  private config!: KpidConfig;
  private ingest?: PushIngest;
  private trapReceiver?: TrapReceiver;
  private readonly trapMetrics = defineTrapMetrics(this.registry);
  private readonly storeMetrics = defineStoreMetrics(this.registry);
  /** The InfluxDB sink, when storage.influx is configured (changes apply at the next restart). */
  private store?: InfluxStore;
  private started = false;

  constructor(private readonly o: DaemonOptions) {
    this.clock = o.clock ?? systemClock;
    this.log = o.log;
    this.metrics = defineMetrics(this.registry);
    this.pipeline = new Pipeline(this.log);
    this.collectors = o.collectors ?? createCollectors(this.log);
    const snmpMetrics = defineSnmpMetrics(this.registry);
    const mappers = new Map<string, MeasurementMapper>([...probeMappers(this.metrics), ...interfaceMappers(snmpMetrics)]);
    this.pipeline.add(new MetricsSink(mappers, this.series));
    this.http = new HttpServer({ routes: () => this.routes(), apiToken: () => this.config?.server.api_token, log: this.log });
  }

  get currentConfig(): KpidConfig {
    return this.config;
  }

  /** Loads config (throwing ConfigError when invalid), starts polling and serving. */
  async start(): Promise<{ url: string }> {
    this.config = this.loadOrCount();
    this.metrics.configReloadSuccess.set(1);
    this.metrics.configReloadTime.set(this.clock.now() / 1000);
    const { host, port } = this.config.server.listen;
    const addr = await this.http.listen(host, port);
    this.scheduler = new Scheduler({
      clock: this.clock,
      collectors: this.collectors,
      concurrency: this.config.defaults.concurrency,
      publish: (s) => this.pipeline.publish(s),
      metrics: this.metrics,
      log: this.log,
    });
    this.apply(this.config);
    await this.applyTraps(this.config);
    await this.startStore(this.config);
    this.started = true;
    const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
    this.log.info({ url, targets: this.config.targets.length, config: this.config.file }, 'kpid running');
    return { url };
  }

  /**
   * Re-reads the config file. A bad config leaves the running one in place,
   * logs every error and sets kpid_config_last_reload_success to 0.
   */
  async reload(): Promise<ReloadResult> {
    let next: KpidConfig;
    try {
      next = this.loadOrCount();
    } catch (err) {
      const errors = err instanceof ConfigError ? err.message.split('\n') : [errorMessage(err)];
      this.metrics.configReloadSuccess.set(0);
      this.log.error({ errors }, 'config reload rejected; the previous config keeps running');
      return { ok: false, errors };
    }
    const prevListen = this.config.server.listen;
    if (next.server.listen.host !== prevListen.host || next.server.listen.port !== prevListen.port) {
      this.log.warn('server.listen changed; it takes effect at the next restart');
    }
    if (JSON.stringify(next.storage) !== JSON.stringify(this.config.storage)) {
      this.log.warn('storage changed; it takes effect at the next restart');
    }
    this.apply(next);
    const previous = this.config;
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

  /** Stops polling (aborting in-flight polls), drains, and closes the server. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.scheduler?.stop();
    await this.trapReceiver?.close();
    if (this.store) {
      this.pipeline.remove(this.store.name);
      // Flushes within its own time bound; what InfluxDB did not take stays in the spool.
      await this.store.close();
    }
    await Promise.allSettled([...this.collectors.values()].map((c) => c.close?.()));
    await this.http.close();
    this.log.info('kpid stopped');
  }

  /** Starts the InfluxDB writer; an unreachable InfluxDB does not stop kpid (samples spool). */
  private async startStore(config: KpidConfig): Promise<void> {
    const influx = config.storage.influx;
    if (!influx) return;
    const store = new InfluxStore(influxStoreOptions(influx), { clock: this.clock, log: this.log, metrics: this.storeMetrics });
    await store.start();
    this.store = store;
    this.pipeline.add(store);
    this.log.info({ url: influx.url, database: influx.database, spool: influx.spool.dir }, 'writing samples to InfluxDB');
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

  private apply(config: KpidConfig): void {
    const limits = {
      maxSamplesPerRequest: config.ingest.max_samples_per_request,
      maxSeriesPerMeasurement: config.ingest.max_series_per_measurement,
    };
    if (this.ingest) this.ingest.setLimits(limits);
    else this.ingest = new PushIngest(limits, this.clock);
    const targets = resolveTargets(config);
    const names = new Set(targets.map((t) => t.name));
    this.scheduler?.update(targets);
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

  private routes(): Route[] {
    return [
      {
        method: 'POST', path: '/api/v1/ingest', auth: true,
        handler: async (req) => {
          const body = (await req.body(this.config.ingest.max_body_bytes)).toString('utf8');
          try {
            const result = this.ingest!.parse(body, String(req.raw.headers['content-type'] ?? ''), req.query.get('precision'));
            this.pipeline.publish(result.samples);
            const status = result.accepted === 0 && result.rejected.length > 0 ? 400 : 200;
            return { status, body: { accepted: result.accepted, rejected: result.rejected } };
          } catch (err) {
            if (err instanceof IngestRefused) throw new HttpError(err.status, err.code, err.message);
            throw err;
          }
        },
      },
      {
        method: 'GET', path: '/metrics', auth: false,
        handler: async () => ({ status: 200, body: await this.registry.metrics(), contentType: this.registry.contentType }),
      },
      { method: 'GET', path: '/healthz', auth: false, handler: () => ({ status: 200, body: 'ok\n' }) },
      {
        method: 'GET', path: '/readyz', auth: false,
        handler: () => (this.started && this.config
          ? { status: 200, body: 'ready\n' }
          : { status: 503, body: 'not ready\n' }),
      },
      {
        method: 'POST', path: '/api/v1/reload', auth: true,
        handler: async () => {
          const result = await this.reload();
          if (!result.ok) throw new HttpError(422, 'config_invalid', 'config rejected; the previous config keeps running', result.errors);
          return { status: 200, body: { status: 'reloaded', targets: this.config.targets.length } };
        },
      },
    ];
  }
}
