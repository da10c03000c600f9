import { hostname } from 'node:os';
import { z } from 'zod';
import { duration } from '../duration-schema.js';

/**
 * `cluster:` — several kpid processes sharing one Redis. Each instance
 * heartbeats a lease; targets are split over the live instances by
 * rendezvous hashing. lease_ttl is the failover trade-off: a dead
 * instance's targets go unpolled for up to about lease_ttl + one
 * interval, while a shorter TTL lets a slow Redis round trip or a long GC
 * pause evict a live instance (its targets are then polled twice until it
 * heartbeats again).
 */
export const cluster = z
  .strictObject({
    enabled: z.boolean().default(false),
    /** redis://[user:password@]host:port[/db]; write the password as ${VAR}. */
    redis: z.string().url().optional(),
    /** Prefix of every cluster key in Redis; instances of one cluster share it. */
    key_prefix: z.string().min(1).default('kpid:cluster:'),
    /** How long a lease lives without a heartbeat. */
    lease_ttl: duration({ min: 500 }).default(10_000),
    /** How often each instance renews its lease and re-reads membership; at most a third of lease_ttl. */
    heartbeat: duration({ min: 100 }).optional(),
    /** This instance's name among the members. Default hostname-pid. */
    instance_id: z.string().min(1).regex(/^[^\s]+$/, 'instance ids have no spaces').optional(),
  })
  .superRefine((c, ctx) => {
    if (c.enabled && !c.redis) ctx.addIssue({ code: 'custom', path: ['redis'], message: 'cluster.enabled needs cluster.redis (a redis:// URL)' });
    if (c.heartbeat !== undefined && c.heartbeat * 3 > c.lease_ttl) {
      ctx.addIssue({ code: 'custom', path: ['heartbeat'], message: `heartbeat (${c.heartbeat}ms) must be at most a third of lease_ttl (${c.lease_ttl}ms)` });
    }
  })
  .transform((c) => ({
    ...c,
    heartbeat: c.heartbeat ?? Math.max(100, Math.floor(c.lease_ttl / 3)),
    instance_id: c.instance_id ?? `${hostname()}-${process.pid}`,
  }))
  .prefault({});

export type ClusterConfig = z.output<typeof cluster>;
