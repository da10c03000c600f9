import type { KpidConfig } from '../config/load.js';
import type { Clock } from '../core/clock.js';
import type { LinksSeenUp } from '../core/links-seen-up.js';
import type { Logger } from '../core/logger.js';
import type { Sample } from '../core/sample.js';
import type { Target } from '../core/target.js';
import type { CollectorRegistry } from '../core/collector.js';
import { ingestLimits } from '../collectors/ingest/ingest-options.js';
import { PushIngest } from '../collectors/ingest/push-ingest.js';
import { createCollectors } from '../collectors/registry.js';
import { TrapReceiver } from '../collectors/trap/trap-receiver.js';
import { trapOptions } from '../collectors/trap/trap-options.js';
import type { KpidMetrics } from '../metrics/definitions.js';
import type { TrapMetrics } from '../metrics/trap-metrics.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { Scheduler } from '../scheduler/scheduler.js';

export interface CollectionDeps {
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: KpidMetrics;
  readonly trapMetrics: TrapMetrics;
  readonly pipeline: Pipeline;
  /** Counts a pushed sample refused by an ingest limit (kpid_ingest_refused_total). */
  readonly ingestRefused: (limit: string) => void;
  /** The state store: which links were ever seen up, so an unused port never pages. */
  readonly linksSeenUp?: LinksSeenUp;
}

/**
 * The collection stage: the built-in collectors behind the scheduler, push
 * ingest, and the trap receiver. Everything collected goes to the pipeline.
 */
export class Collection {
  readonly scheduler: Scheduler;
  private readonly collectors: CollectorRegistry;
  private ingest?: PushIngest;
  private traps?: TrapReceiver;

  constructor(config: KpidConfig, private readonly deps: CollectionDeps) {
    this.collectors = createCollectors(deps.log, deps.clock, deps.linksSeenUp);
    this.scheduler = new Scheduler({
      clock: deps.clock,
      collectors: this.collectors,
      concurrency: config.defaults.concurrency,
      publish: (s, lifetime) => this.publish(s, lifetime),
      metrics: deps.metrics,
      log: deps.log,
      // Cluster mode: a target handed between instances keeps its phase on the wall clock.
      alignToClock: config.cluster.enabled,
    });
  }

  /** The push-ingest parser, once the config set its limits. */
  get ingestParser(): PushIngest | undefined {
    return this.ingest;
  }

  /** Ingest limits and targets; in a cluster the targets go to `cluster`, which hands this instance's share to the scheduler. */
  apply(config: KpidConfig, targets: readonly Target[], cluster?: { setTargets(targets: readonly Target[]): void }): void {
    this.setIngestLimits(config);
    if (cluster) cluster.setTargets(targets);
    else this.scheduler.update(targets);
  }

  private setIngestLimits(config: KpidConfig): void {
    const limits = ingestLimits(config.ingest);
    if (this.ingest) this.ingest.setLimits(limits);
    else this.ingest = new PushIngest(limits, this.deps.clock, this.deps.ingestRefused);
  }

  /** Starts, restarts (when its settings changed) or stops the trap receiver. */
  async applyTraps(config: KpidConfig, targets: readonly Target[], previous?: KpidConfig): Promise<void> {
    if (previous && JSON.stringify(previous.traps) === JSON.stringify(config.traps)) {
      await this.traps?.setTargets(targets);
      return;
    }
    await this.stopTraps();
    if (!config.traps) return;
    const receiver = new TrapReceiver({
      config: trapOptions(config.traps), clock: this.deps.clock, log: this.deps.log, metrics: this.deps.trapMetrics, publish: (s, lifetime) => this.publish(s, lifetime),
    });
    await receiver.start();
    await receiver.setTargets(targets);
    this.traps = receiver;
    // A linkDown trap names an ifIndex; the polled samples say which interface that is.
    this.deps.pipeline.add({ name: 'trap-interfaces', write: (s) => receiver.interfaces.learn(s) });
  }

  async stopTraps(): Promise<void> {
    if (!this.traps) return;
    this.deps.pipeline.remove('trap-interfaces');
    await this.traps.close();
    this.traps = undefined;
  }

  async closeCollectors(): Promise<void> {
    this.ingest?.stop();
    await Promise.allSettled([...this.collectors.values()].map((c) => c.close?.()));
  }

  private publish(samples: readonly Sample[], lifetime: number): void {
    this.deps.pipeline.publish(samples, lifetime);
  }
}
