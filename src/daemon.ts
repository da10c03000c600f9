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
import { SeriesTracker } from './metrics/series-tracker.js';
import { Pipeline } from './pipeline/pipeline.js';
import { Scheduler } from './scheduler/scheduler.js';
import { resolveTargets } from './targets/targets.js';
import { HttpServer } from './http/server.js';
import type { Route } from './http/router.js';
import { HttpError } from './http/http-error.js';

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
  private started = false;

  constructor(private readonly o: DaemonOptions) {
    this.clock = o.clock ?? systemClock;
    this.log = o.log;
    this.metrics = defineMetrics(this.registry);
    this.pipeline = new Pipeline(this.log);
    this.collectors = o.collectors ?? createCollectors(this.log);
    const mappers = new Map<string, MeasurementMapper>([...probeMappers(this.metrics)]);
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
    this.started = true;
    const url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
    this.log.info({ url, targets: this.config.targets.length, config: this.config.file }, 'kpid running');
    return { url };
  }

  /**
   * Re-reads the config file. A bad config leaves the running one in place,
   * logs every error and sets kpid_config_last_reload_success to 0.
   */
  reload(): ReloadResult {
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
    this.apply(next);
    this.config = next;
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
    await Promise.allSettled([...this.collectors.values()].map((c) => c.close?.()));
    await this.http.close();
    this.log.info('kpid stopped');
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
    const targets = resolveTargets(config);
    const names = new Set(targets.map((t) => t.name));
    this.scheduler?.update(targets);
    for (const t of this.series.targets()) if (t && !names.has(t)) this.series.forgetTarget(t);
  }

  private routes(): Route[] {
    return [
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
        handler: () => {
          const result = this.reload();
          if (!result.ok) throw new HttpError(422, 'config_invalid', 'config rejected; the previous config keeps running', result.errors);
          return { status: 200, body: { status: 'reloaded', targets: this.config.targets.length } };
        },
      },
    ];
  }
}
