import type { KpidConfig } from '../config/load.js';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Sample } from '../core/sample.js';
import type { StoreMetrics } from '../metrics/store-metrics.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { InfluxStore } from '../store/influx-store.js';
import { KpiRollup } from '../store/kpi-rollup.js';
import { influxStoreOptions } from '../store/store-options.js';

type InfluxSection = KpidConfig['storage']['influx'];
interface StorageDeps { clock: Clock; log: Logger; metrics: StoreMetrics; pipeline: Pipeline }

/**
 * The store stage: the daily KPI rollup (SQLite state only, whatever the
 * time-series mode, so the embedded report always has its days) and the
 * InfluxDB writer when storage.influx is set. A reload that changes
 * storage.influx replaces the writer: the old one flushes (what InfluxDB does
 * not take stays in the spool), the new one prepares the database (a new
 * retention is applied) and replays the spool; samples arriving meanwhile
 * wait in memory. `state:` applies at the next restart.
 */
export class Storage {
  readonly name = 'influx';
  private influx: InfluxStore | undefined;
  private section: InfluxSection;
  /** Set while the writer is being replaced: samples that arrive wait here. */
  private waiting: Sample[][] | undefined;

  private constructor(private readonly deps: StorageDeps, private readonly rollup: KpiRollup | undefined) {}

  /** An unreachable InfluxDB does not stop kpid: samples spool. */
  static async start(config: KpidConfig, deps: StorageDeps): Promise<Storage> {
    let rollup: KpiRollup | undefined;
    if ('sqlite' in config.state) {
      // Written once a minute, not once per poll: the report lags by up to a minute.
      rollup = new KpiRollup(config.state.sqlite, { flushEveryMs: 60_000, clock: deps.clock });
      deps.pipeline.add(rollup);
    }
    const storage = new Storage(deps, rollup);
    try {
      await storage.open(config.storage.influx);
    } catch (err) {
      await storage.stop();
      throw err;
    }
    deps.pipeline.add(storage);
    return storage;
  }

  /** Samples from the pipeline, to InfluxDB. */
  write(samples: readonly Sample[]): void {
    if (this.waiting) this.waiting.push([...samples]);
    else this.influx?.write(samples);
  }

  /** Writes derived series (the outage ledger's) to InfluxDB only; the rollup keeps measured samples. */
  record(samples: readonly Sample[]): void {
    this.write(samples);
  }

  /** Applies a changed storage.influx. A writer that cannot start leaves the previous settings running. */
  async reload(next: KpidConfig): Promise<void> {
    if (JSON.stringify(next.storage.influx) === JSON.stringify(this.section) || this.waiting) return;
    const previous = this.section;
    this.waiting = [];
    try {
      await this.influx?.close();
      this.influx = undefined;
      try {
        await this.open(next.storage.influx);
      } catch (err) {
        this.deps.log.error({ err: errorMessage(err) }, 'storage.influx could not be applied; the previous settings keep running');
        await this.open(previous);
      }
    } finally {
      const waiting = this.waiting;
      this.waiting = undefined;
      for (const samples of waiting) this.write(samples);
    }
  }

  /** Why kpid is not ready, as far as storage goes. */
  notReady(): string[] {
    return this.influx && !this.influx.status().reachable ? ['InfluxDB unreachable (samples are spooled)'] : [];
  }

  async stop(): Promise<void> {
    this.deps.pipeline.remove(this.name);
    // Flushes within its own time bound; what InfluxDB did not take stays in the spool.
    await this.influx?.close();
    this.influx = undefined;
    if (this.rollup) {
      this.deps.pipeline.remove(this.rollup.name);
      this.rollup.close();
    }
  }

  private async open(section: InfluxSection): Promise<void> {
    this.section = section;
    if (!section) return;
    const { clock, log, metrics } = this.deps;
    // Imported here: the influx client is loaded only when samples go to InfluxDB.
    const { InfluxStore } = await import('../store/influx-store.js');
    const store = new InfluxStore(influxStoreOptions(section), { clock, log, metrics });
    await store.start();
    this.influx = store;
    log.info({ url: section.url, database: section.database, retention: section.retention, spool: section.spool.dir }, 'writing samples to InfluxDB');
  }
}
