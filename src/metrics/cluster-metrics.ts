import { Gauge, type Registry } from 'prom-client';

/** Metrics of cluster mode (src/cluster); operators' dashboards read these three names (README.md lists them). */
export function defineClusterMetrics(registry: Registry) {
  const r = [registry];
  return {
    members: new Gauge({
      name: 'kpid_cluster_members',
      help: 'Live cluster members (unexpired leases) this instance saw at its last heartbeat, itself included.',
      registers: r,
    }),
    ownedTargets: new Gauge({
      name: 'kpid_cluster_owned_targets',
      help: 'Targets this instance polls: its rendezvous-hash share of the configured targets.',
      registers: r,
    }),
    redisUp: new Gauge({
      name: 'kpid_cluster_redis_up',
      help: '1 when the last lease heartbeat reached Redis, 0 when it failed (the instance then keeps polling the targets it last owned).',
      registers: r,
    }),
  };
}

export type ClusterMetrics = ReturnType<typeof defineClusterMetrics>;
