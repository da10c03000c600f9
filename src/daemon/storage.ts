import type { KpidConfig } from '../config/load.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Sample } from '../core/sample.js';
import type { StoreMetrics } from '../metrics/store-metrics.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { InfluxStore } from '../store/influx-store.js';
import { KpiRollup } from '../store/kpi-rollup.js';
import { influxStoreOptions } from '../store/store-options.js';

/**
 * The store stage: the daily KPI rollup (SQLite state only, whatever the
 * time-series mode, so the embedded report always has its days) and the
 * InfluxDB writer when storage.influx is set. Changes apply at the next restart.
 */
export class Storage {
  private constructor(
    private readonly pipeline: Pipeline,
    private readonly rollup: KpiRollup | undefined,
    private readonly influx: InfluxStore | undefined,
  ) {}

  /** An unreachable InfluxDB does not stop kpid: samples spool. */
  static async start(config: KpidConfig, deps: { clock: Clock; log: Logger; metrics: StoreMetrics; pipeline: Pipeline }): Promise<Storage> {
    let rollup: KpiRollup | undefined;
    if ('sqlite' in config.state) {
      // Written once a minute, not once per poll: the report lags by up to a minute.
      rollup = new KpiRollup(config.state.sqlite, { flushEveryMs: 60_000, clock: deps.clock });
      deps.pipeline.add(rollup);
    }
    const influx = config.storage.influx;
    if (!influx) return new Storage(deps.pipeline, rollup, undefined);
    const store = new InfluxStore(influxStoreOptions(influx), { clock: deps.clock, log: deps.log, metrics: deps.metrics });
    try {
      await store.start();
    } catch (err) {
      if (rollup) {
        deps.pipeline.remove(rollup.name);
        rollup.close();
      }
      throw err;
    }
    deps.pipeline.add(store);
    deps.log.info({ url: influx.url, database: influx.database, spool: influx.spool.dir }, 'writing samples to InfluxDB');
    return new Storage(deps.pipeline, rollup, store);
  }

  /** Writes derived series (the outage ledger's) to InfluxDB only; the rollup keeps measured samples. */
  record(samples: readonly Sample[]): void {
    this.influx?.write(samples);
  }

  /** Why kpid is not ready, as far as storage goes. */
  notReady(): string[] {
    return this.influx && !this.influx.status().reachable ? ['InfluxDB unreachable (samples are spooled)'] : [];
  }

  async stop(): Promise<void> {
    if (this.influx) {
      this.pipeline.remove(this.influx.name);
      // Flushes within its own time bound; what InfluxDB did not take stays in the spool.
      await this.influx.close();
    }
    if (this.rollup) {
      this.pipeline.remove(this.rollup.name);
      this.rollup.close();
    }
  }
}
