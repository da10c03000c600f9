import type { Registry } from 'prom-client';
import type { NotificationConsumer } from '../alerts/notification-gate.js';
import { SlaSweeper } from '../alerts/sla-sweeper.js';
import type { ClusterMode } from '../cluster/cluster-mode.js';
import { clusterOptions } from '../cluster/cluster-options.js';
import type { KpidConfig } from '../config/load.js';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Target } from '../core/target.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { RulesAndAlerts } from './alerting.js';

export interface ClusterDeps {
  readonly clock: Clock;
  readonly log: Logger;
  readonly registry: Registry;
  readonly scheduler: Scheduler;
  readonly alerting: RulesAndAlerts;
  readonly notifier: NotificationConsumer;
}

/**
 * Cluster mode (config cluster.enabled): only this instance's share of the
 * targets reaches the scheduler, alerts are handed over with their targets,
 * and, with state in Redis, the SLA sweeper fires the steps of every open
 * outage once, whichever instance claims them.
 */
export class ClusterStage {
  private owned = new Set<string>();
  private handovers: Promise<void> = Promise.resolve();
  private mode?: ClusterMode;
  private sweeper?: SlaSweeper;

  private constructor(private readonly deps: ClusterDeps) {}

  static async start(config: KpidConfig, deps: ClusterDeps): Promise<ClusterStage> {
    const stage = new ClusterStage(deps);
    const options = clusterOptions(config.cluster);
    // Imported here: the leases' Redis client is loaded only in cluster mode.
    const { ClusterMode } = await import('../cluster/cluster-mode.js');
    stage.mode = await ClusterMode.start(options, {
      clock: deps.clock, log: deps.log, registry: deps.registry, onOwnedChange: (owned) => stage.handOver(owned),
    });
    if ('redis' in config.state) {
      const log = deps.log.child({ component: 'cluster', member: options.instanceId });
      stage.sweeper = new SlaSweeper({ store: deps.alerting.store, notifier: deps.notifier, clock: deps.clock, every: options.heartbeat, log });
      stage.sweeper.start();
    } else {
      deps.log.warn('cluster.enabled with state: { sqlite }: alerts, outages and "sent once" are per instance; use state: { redis } in a cluster');
    }
    return stage;
  }

  /** Membership, for GET /api/v1/cluster. */
  get membership(): ClusterMode | undefined {
    return this.mode;
  }

  /** The full configured target list; only this instance's share reaches the scheduler. */
  setTargets(targets: readonly Target[]): void {
    this.mode?.setTargets(targets);
  }

  /** Stops the sweeper, then gives the lease up so the others take these targets at their next heartbeat. */
  async stop(): Promise<void> {
    await this.sweeper?.stop();
    await this.mode?.stop();
  }

  /**
   * This instance's share changed. Lost targets stop polling at once and
   * their alerts leave the rules silently; gained ones start polling once
   * their alerts and outages were taken over from the store, so the new
   * owner neither re-fires nor resolves them.
   */
  private handOver(owned: readonly Target[]): void {
    const { scheduler, alerting, log } = this.deps;
    const names = new Set(owned.map((t) => t.name));
    const gained = new Set([...names].filter((n) => !this.owned.has(n)));
    const lost = new Set([...this.owned].filter((n) => !names.has(n)));
    this.owned = names;
    scheduler.update(owned.filter((t) => !gained.has(t.name)));
    alerting.runtime.releaseTargets(lost);
    this.handovers = this.handovers
      .then(() => alerting.runtime.adoptTargets(gained))
      .catch((err) => log.error({ err: errorMessage(err) }, 'cluster handover: could not take over alerts from the store'))
      .then(() => {
        if (this.mode) scheduler.update(this.mode.ownership.ownedTargets());
      });
  }
}
