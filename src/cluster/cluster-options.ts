import type { ClusterConfig } from '../config/sections/cluster.js';

/**
 * What cluster mode runs on, in its own words: the validated `cluster:`
 * section mapped once, here. Nothing else in src/cluster/ reads the YAML
 * names. Durations are ms.
 */
export interface ClusterOptions {
  /** This instance's name among the members. Default hostname-pid. */
  readonly instanceId: string;
  /** redis://[user:password@]host:port[/db] the leases live in; config validation requires it when the cluster is enabled. */
  readonly redis?: string | undefined;
  /** Prefix of every cluster key in Redis; instances of one cluster share it. Default `kpid:cluster:`. */
  readonly keyPrefix: string;
  /** How long a lease lives without a heartbeat, ms. Default 10,000. */
  readonly leaseTtl: number;
  /** How often the lease is renewed and membership re-read, ms. Default a third of leaseTtl (at least 100). */
  readonly heartbeat: number;
}

/** Options from the validated `cluster:` section. */
export function clusterOptions(cfg: ClusterConfig): ClusterOptions {
  return {
    instanceId: cfg.instance_id,
    ...(cfg.redis !== undefined ? { redis: cfg.redis } : {}),
    keyPrefix: cfg.key_prefix,
    leaseTtl: cfg.lease_ttl,
    heartbeat: cfg.heartbeat,
  };
}
