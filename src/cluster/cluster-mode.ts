import type { Registry } from 'prom-client';
import type { NotificationConsumer } from '../alerts/alert-runtime.js';
import type { StateStore } from '../alerts/state-store.js';
import type { ClusterConfig } from '../config/sections/cluster.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Target } from '../core/target.js';
import { defineClusterMetrics } from '../metrics/cluster-metrics.js';
import { ClusterOwnership } from './cluster-ownership.js';
import { RedisLeaseRegistry } from './leases.js';
import { SlaSweeper } from './sla-sweeper.js';

export interface ClusterModeDeps {
  readonly clock: Clock;
  readonly log: Logger;
  /** Where kpid_cluster_* are registered. */
  readonly registry: Registry;
  /** Called with this instance's share of the targets whenever it changes: give it to scheduler.update. */
  readonly onOwnedChange: (owned: readonly Target[]) => void;
}

/**
 * Everything cluster mode adds to one kpid process, behind three calls the
 * daemon makes: `ClusterMode.start` (lease + membership), `setTargets`
 * (instead of handing the full list to the scheduler), and `stop`.
 * `startSlaSweeper` adds outage SLA timers that any instance fires.
 */
export class ClusterMode {
  private sweeper?: SlaSweeper;

  private constructor(
    readonly ownership: ClusterOwnership,
    private readonly leases: RedisLeaseRegistry,
    private readonly cfg: ClusterConfig,
    private readonly deps: ClusterModeDeps,
  ) {}

  static async start(cfg: ClusterConfig, deps: ClusterModeDeps): Promise<ClusterMode> {
    const log = deps.log.child({ component: 'cluster', member: cfg.instance_id });
    const leases = new RedisLeaseRegistry(cfg.redis!, cfg.key_prefix, Math.max(200, cfg.heartbeat), log);
    const ownership = new ClusterOwnership({
      id: cfg.instance_id, registry: leases, clock: deps.clock, leaseTtl: cfg.lease_ttl, heartbeat: cfg.heartbeat,
      metrics: defineClusterMetrics(deps.registry), log, onChange: deps.onOwnedChange,
    });
    await ownership.start();
    log.info({ leaseTtlMs: cfg.lease_ttl, heartbeatMs: cfg.heartbeat, redisUp: ownership.isRedisUp }, 'cluster mode on');
    return new ClusterMode(ownership, leases, cfg, { ...deps, log });
  }

  /** The full configured target list; only this instance's share reaches the scheduler. */
  setTargets(targets: readonly Target[]): void {
    this.ownership.setTargets(targets);
  }

  /** SLA warnings and breaches of every open outage in the shared store, fired once by whichever instance claims them. */
  startSlaSweeper(store: StateStore, notifier: NotificationConsumer): void {
    this.sweeper = new SlaSweeper({ store, notifier, clock: this.deps.clock, every: this.cfg.heartbeat, log: this.deps.log });
    this.sweeper.start();
  }

  /** Stops the sweeper, gives the lease up (the others take the targets at their next heartbeat) and disconnects. */
  async stop(): Promise<void> {
    await this.sweeper?.stop();
    await this.ownership.stop();
    await this.leases.close();
  }
}
