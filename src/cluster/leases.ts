import type { Redis } from 'ioredis';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { closeRedis, connectRedis } from '../core/redis-connection.js';

/** What a heartbeat learns: who is alive, and whether this member's lease had lapsed before it was renewed. */
export interface Heartbeat {
  readonly members: readonly string[];
  /** The lease had expired (or never existed): the others may have taken this member's targets. */
  readonly rejoined: boolean;
  /** Milliseconds until the first other member's lease runs out (Infinity when alone): when to look again for a death. */
  readonly nextExpiryIn: number;
}

/** Where members keep their leases. Redis in a cluster; memory in unit tests. */
export interface LeaseRegistry {
  /** Renews `id`'s lease for `ttl` ms, drops expired leases, and lists the live members. */
  heartbeat(id: string, ttl: number): Promise<Heartbeat>;
  /** Gives the lease up now, so the others take the targets without waiting for the TTL. */
  leave(id: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * One sorted set, member → lease expiry. Expiry is computed from Redis'
 * own TIME, so the members' clocks never have to agree. KEYS: members.
 * ARGV: id, ttl ms. Returns {rejoined 0/1, ms until the first other lease
 * expires (-1 when alone), live ids...}.
 */
const HEARTBEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local prev = redis.call('ZSCORE', KEYS[1], ARGV[1])
local rejoined = 1
if prev and tonumber(prev) > now then rejoined = 0 end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
local live = redis.call('ZRANGE', KEYS[1], 0, -1)
local first = -1
local head = redis.call('ZRANGE', KEYS[1], 0, 1, 'WITHSCORES')
if head[1] and head[1] ~= ARGV[1] then first = tonumber(head[2]) - now
elseif head[3] then first = tonumber(head[4]) - now end
table.insert(live, 1, first)
table.insert(live, 1, rejoined)
return live
`;

/**
 * Leases in Redis. This client fails fast (no offline queue, a command
 * timeout) because a heartbeat that waits for Redis would hide the very
 * outage kpid_cluster_redis_up reports.
 */
export class RedisLeaseRegistry implements LeaseRegistry {
  private readonly redis: Redis;
  private readonly key: string;

  constructor(url: string, prefix: string, commandTimeout: number, log?: Logger) {
    this.key = `${prefix}members`;
    this.redis = connectRedis(url, log, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout });
    this.redis.defineCommand('kpidHeartbeat', { numberOfKeys: 1, lua: HEARTBEAT });
  }

  async heartbeat(id: string, ttl: number): Promise<Heartbeat> {
    const reply = (await (this.redis as unknown as HeartbeatCommand).kpidHeartbeat(this.key, id, String(ttl))) as [number, number, ...string[]];
    const [rejoined, first, ...members] = reply;
    return { rejoined: rejoined === 1, members, nextExpiryIn: first < 0 ? Infinity : first };
  }

  async leave(id: string): Promise<void> {
    await this.redis.zrem(this.key, id);
  }

  close(): Promise<void> {
    return closeRedis(this.redis, 1_000);
  }
}

type HeartbeatCommand = { kpidHeartbeat(...args: string[]): Promise<unknown> };

/** Leases in memory on a Clock: the unit tests' stand-in for Redis, with a switch to make it unreachable. */
export class MemoryLeaseRegistry implements LeaseRegistry {
  private readonly leases = new Map<string, number>();
  reachable = true;

  constructor(private readonly clock: Clock) {}

  async heartbeat(id: string, ttl: number): Promise<Heartbeat> {
    if (!this.reachable) throw new Error('connect ECONNREFUSED (test: registry unreachable)');
    const now = this.clock.now();
    const prev = this.leases.get(id);
    for (const [m, until] of this.leases) if (until <= now) this.leases.delete(m);
    this.leases.set(id, now + ttl);
    const others = [...this.leases].filter(([m]) => m !== id).map(([, until]) => until - now);
    return { rejoined: prev === undefined || prev <= now, members: [...this.leases.keys()].sort(), nextExpiryIn: Math.min(Infinity, ...others) };
  }

  async leave(id: string): Promise<void> {
    if (!this.reachable) throw new Error('connect ECONNREFUSED (test: registry unreachable)');
    this.leases.delete(id);
  }

  async close(): Promise<void> {}
}
