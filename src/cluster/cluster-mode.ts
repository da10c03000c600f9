import type { Registry } from 'prom-client';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Target } from '../core/target.js';
import { defineClusterMetrics } from '../metrics/cluster-metrics.js';
import type { ClusterOptions } from './cluster-options.js';
import { ClusterOwnership } from './cluster-ownership.js';
import { RedisLeaseRegistry } from './leases.js';

export interface ClusterModeDeps {
  readonly clock: Clock;
  readonly log: Logger;
  /** Where kpid_cluster_* are registered. */
  readonly registry: Registry;
  /** Called with this instance's share of the targets whenever it changes: give it to scheduler.update. */
  readonly onOwnedChange: (owned: readonly Target[]) => void;
}

/**
 * Target ownership in a cluster, behind three calls the daemon makes:
 * `ClusterMode.start` (lease + membership), `setTargets` (instead of handing
 * the full list to the scheduler), and `stop`. Shared alert state and the
 * SLA sweeper belong to src/alerts.
 */
export class ClusterMode {
  private constructor(
    private readonly instance: string,
    readonly ownership: ClusterOwnership,
    private readonly leases: RedisLeaseRegistry,
  ) {}

  static async start(o: ClusterOptions, deps: ClusterModeDeps): Promise<ClusterMode> {
    const log = deps.log.child({ component: 'cluster', member: o.instanceId });
    const leases = new RedisLeaseRegistry(o.redis!, o.keyPrefix, Math.max(200, o.heartbeat), log);
    const ownership = new ClusterOwnership({
      id: o.instanceId, registry: leases, clock: deps.clock, leaseTtl: o.leaseTtl, heartbeat: o.heartbeat,
      metrics: defineClusterMetrics(deps.registry), log, onChange: deps.onOwnedChange,
    });
    await ownership.start();
    log.info({ leaseTtlMs: o.leaseTtl, heartbeatMs: o.heartbeat, redisUp: ownership.isRedisUp }, 'cluster mode on');
    return new ClusterMode(o.instanceId, ownership, leases);
  }

  /** The full configured target list; only this instance's share reaches the scheduler. */
  setTargets(targets: readonly Target[]): void {
    this.ownership.setTargets(targets);
  }

  /** This instance, the live members as of the last heartbeat, and this instance's share (GET /api/v1/cluster). */
  status() {
    return {
      instance: this.instance,
      members: [...this.ownership.liveMembers()].sort(),
      redisUp: this.ownership.isRedisUp,
      ownedTargets: this.ownership.ownedTargets().length,
    };
  }

  /** Gives the lease up (the others take the targets at their next heartbeat) and disconnects. */
  async stop(): Promise<void> {
    await this.ownership.stop();
    await this.leases.close();
  }
}
