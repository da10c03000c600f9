import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Ack, Outage, Silence, StateStore, StoredAlert } from './state-store.js';
import { KpidError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { closeRedis, connectRedis } from '../../core/redis-connection.js';

export interface RedisStateStoreOptions {
  /** Prefix of every key; instances of one cluster share it. Default `kpid:state:`. */
  readonly prefix?: string;
  /** Commands this store may have waiting on Redis before it refuses more (Redis down). Default 10 000. */
  readonly maxPending?: number;
  readonly log?: Logger;
}

/**
 * Writes an outage only if its stored body is still the one the caller read
 * (compare-and-set), and keeps the open-outage indexes in step. Merging is
 * done by the caller in JavaScript, because Redis' cjson would re-encode
 * numbers and empty arrays. KEYS: outages, open, started, open-by-service.
 * ARGV: id, expected body ('' = absent), new body, service, startedAt,
 * restored ('1'/'0'), mode ('put' | 'open').
 * Returns {'ok'}, {'changed', current}, or {'exists', id of the open outage}.
 */
const CAS_OUTAGE = `
local current = redis.call('HGET', KEYS[1], ARGV[1]) or ''
if current ~= ARGV[2] then return {'changed', current} end
if ARGV[7] == 'open' and current == '' then
  local open = redis.call('HGET', KEYS[4], ARGV[4])
  if open and open ~= ARGV[1] then return {'exists', open} end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1])
if ARGV[6] == '1' then
  redis.call('ZREM', KEYS[2], ARGV[1])
  if redis.call('HGET', KEYS[4], ARGV[4]) == ARGV[1] then redis.call('HDEL', KEYS[4], ARGV[4]) end
else
  redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
  if not redis.call('HGET', KEYS[4], ARGV[4]) then redis.call('HSET', KEYS[4], ARGV[4], ARGV[1]) end
end
return {'ok'}
`;

/**
 * Claims a notification id for one caller. The claim records a token unique
 * to this attempt, so when Redis executed the claim but the reply was lost
 * (Redis or the link died) and ioredis resends it after reconnecting, the
 * resend is recognised as the same claim and still wins: a lost reply never
 * becomes a lost notification. An SLA warning or breach of an outage that
 * is already restored is refused: in a cluster, an instance that no longer
 * polls the service may still run that outage's clock and must not page
 * after someone else restored it. KEYS: claims (hash id → token),
 * claimed-at (zset id → at), outages. ARGV: id, token, at.
 */
const CLAIM = `
local held = redis.call('HGET', KEYS[1], ARGV[1])
if held then return held == ARGV[2] and 1 or 0 end
local outage = string.match(ARGV[1], '^outage:(.+):warn:%d+$') or string.match(ARGV[1], '^outage:(.+):breach$')
if outage then
  local body = redis.call('HGET', KEYS[3], outage)
  if body and string.find(body, '"restoredAt":', 1, true) then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 1
`;

/** Forgets claims older than ARGV[1]. KEYS: claims, claimed-at. */
const PRUNE = `
local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[1])
for i = 1, #old, 500 do
  local batch = {unpack(old, i, math.min(i + 499, #old))}
  redis.call('HDEL', KEYS[1], unpack(batch))
  redis.call('ZREM', KEYS[2], unpack(batch))
end
return #old
`;

/**
 * The cluster's state store: every instance reads and writes the same
 * alerts, outages, acks, silences and notification claims in Redis.
 * Writes that must not race are atomic in Redis: a notification claim is
 * a Lua set-if-absent (one winner however many instances try), an outage write is a
 * compare-and-set Lua script whose merge never loses a warning already
 * sent, a breach, an acknowledgement or a restore, and `openOutage` opens at
 * most one outage per service across the cluster. Acks and silences are
 * single-key upserts (HSET), atomic by themselves.
 * For durability run Redis with appendonly yes and maxmemory-policy
 * noeviction (README, "Scaling out").
 */
export class RedisStateStore implements StateStore {
  private readonly redis: Redis;
  private readonly k: Record<'alerts' | 'outages' | 'open' | 'started' | 'openByService' | 'notified' | 'claims' | 'acks' | 'silences' | 'links', string>;
  private readonly scripts: Scripts;
  /** Identifies this store's claims; with a counter, each claim attempt. */
  private readonly token = randomBytes(8).toString('hex');
  private claims = 0;
  private pending = 0;
  private readonly maxPending: number;

  constructor(url: string, o: RedisStateStoreOptions = {}) {
    const p = o.prefix ?? 'kpid:state:';
    this.k = {
      alerts: `${p}alerts`, outages: `${p}outages`, open: `${p}outages:open`, started: `${p}outages:started`,
      openByService: `${p}outages:open-by-service`, notified: `${p}notified`, claims: `${p}claims`, acks: `${p}acks`, silences: `${p}silences`,
      links: `${p}links-seen-up`,
    };
    this.maxPending = o.maxPending ?? 10_000;
    this.redis = connectRedis(url, o.log);
    this.redis.defineCommand('kpidCasOutage', { numberOfKeys: 4, lua: CAS_OUTAGE });
    this.redis.defineCommand('kpidClaim', { numberOfKeys: 3, lua: CLAIM });
    this.redis.defineCommand('kpidPrune', { numberOfKeys: 2, lua: PRUNE });
    this.scripts = this.redis as unknown as Scripts;
  }

  async putAlert(alert: StoredAlert): Promise<void> {
    await this.run(() => this.redis.hset(this.k.alerts, alert.fingerprint, JSON.stringify(alert)));
  }

  async deleteAlert(fingerprint: string): Promise<void> {
    await this.run(() => this.redis.hdel(this.k.alerts, fingerprint));
  }

  async listAlerts(): Promise<StoredAlert[]> {
    return sortedValues<StoredAlert>(await this.run(() => this.redis.hgetall(this.k.alerts)));
  }

  async putOutage(outage: Outage): Promise<void> {
    await this.casOutage(outage, 'put');
  }

  /**
   * Opens `outage` unless its service already has an open outage anywhere
   * in the cluster; then the alerts of `outage` join that one. Returns the
   * outage that is open for the service afterwards.
   */
  async openOutage(outage: Outage): Promise<Outage> {
    return this.casOutage(outage, 'open');
  }

  async getOutage(id: string): Promise<Outage | undefined> {
    const body = await this.run(() => this.redis.hget(this.k.outages, id));
    return body ? (JSON.parse(body) as Outage) : undefined;
  }

  async openOutages(): Promise<Outage[]> {
    const ids = await this.run(() => this.redis.zrange(this.k.open, 0, -1));
    return this.outagesById(ids);
  }

  async outagesBetween(from: number, to: number): Promise<Outage[]> {
    const ids = await this.run(() => this.redis.zrangebyscore(this.k.started, '-inf', `(${to}`));
    return (await this.outagesById(ids)).filter((o) => o.restoredAt === undefined || o.restoredAt >= from);
  }

  async claimNotification(id: string, at: number): Promise<boolean> {
    const token = `${this.token}:${++this.claims}`;
    return (await this.run(() => this.scripts.kpidClaim(this.k.claims, this.k.notified, this.k.outages, id, token, String(at)))) === 1;
  }

  async pruneNotifications(before: number): Promise<number> {
    return Number(await this.run(() => this.scripts.kpidPrune(this.k.claims, this.k.notified, String(before))));
  }

  async putAck(ack: Ack): Promise<void> {
    await this.run(() => this.redis.hset(this.k.acks, ack.id, JSON.stringify(ack)));
  }

  async listAcks(): Promise<Ack[]> {
    return sortedValues<Ack>(await this.run(() => this.redis.hgetall(this.k.acks)));
  }

  async putSilence(s: Silence): Promise<void> {
    await this.run(() => this.redis.hset(this.k.silences, s.id, JSON.stringify(s)));
  }

  async deleteSilence(id: string): Promise<boolean> {
    return (await this.run(() => this.redis.hdel(this.k.silences, id))) === 1;
  }

  async listSilences(): Promise<Silence[]> {
    return sortedValues<Silence>(await this.run(() => this.redis.hgetall(this.k.silences)));
  }

  async linksSeenUp(): Promise<string[]> {
    return (await this.run(() => this.redis.hkeys(this.k.links))).sort();
  }

  async rememberLinkSeenUp(link: string, at: number): Promise<void> {
    await this.run(() => this.redis.hsetnx(this.k.links, link, String(at)));
  }

  async close(): Promise<void> {
    await closeRedis(this.redis);
  }

  private async casOutage(outage: Outage, mode: 'put' | 'open'): Promise<Outage> {
    let id = outage.id;
    // What to write given what is stored now; recomputed from a fresh read on every attempt.
    let change = (stored: Outage | undefined): Outage => (stored ? mergeOutage(stored, outage) : outage);
    for (let attempt = 0; attempt < 50; attempt++) {
      const current = await this.run(() => this.redis.hget(this.k.outages, id));
      const next = change(current ? (JSON.parse(current) as Outage) : undefined);
      const reply = (await this.run(() => this.scripts.kpidCasOutage(
        this.k.outages, this.k.open, this.k.started, this.k.openByService,
        id, current ?? '', JSON.stringify(next), next.service, String(next.startedAt), next.restoredAt === undefined ? '0' : '1', mode,
      ))) as [string, string?];
      if (reply[0] === 'ok') return next;
      if (reply[0] === 'exists') {
        // Another instance opened this service's outage first: the alerts join that one.
        id = reply[1]!;
        mode = 'put';
        change = (stored) => (stored
          ? { ...stored, alerts: [...new Set([...stored.alerts, ...outage.alerts])] }
          : outage);
      }
      // 'changed': someone wrote in between; read and merge again.
    }
    throw new KpidError('state_outage_contended', `outage ${outage.id} kept changing under 50 attempts to write it`, { outage: outage.id });
  }

  private async outagesById(ids: string[]): Promise<Outage[]> {
    if (!ids.length) return [];
    const bodies = await this.run(() => this.redis.hmget(this.k.outages, ...ids));
    return bodies.filter((b): b is string => b !== null).map((b) => JSON.parse(b) as Outage);
  }

  /** Bounds what waits on an unreachable Redis: past maxPending, writes fail fast instead of growing memory. */
  private async run<T>(op: () => Promise<T>): Promise<T> {
    if (this.pending >= this.maxPending) {
      throw new KpidError('state_backlog_full', `${this.pending} state commands are waiting for Redis; refusing more`, { pending: this.pending });
    }
    this.pending++;
    try {
      return await op();
    } finally {
      this.pending--;
    }
  }
}

type Scripts = Record<'kpidCasOutage' | 'kpidClaim' | 'kpidPrune', (...args: string[]) => Promise<unknown>>;

/**
 * What an outage becomes when `next` is written over `stored`: the writer's
 * view, except that what has happened cannot un-happen. Warnings sent,
 * a breach, the first acknowledgement and a restore survive a writer that
 * had not seen them (another instance, or one that restarted).
 */
export function mergeOutage(stored: Outage, next: Outage): Outage {
  const restored = next.restoredAt ?? stored.restoredAt;
  const merged: Outage = {
    ...next,
    warningsSent: [...new Set([...stored.warningsSent, ...next.warningsSent])].sort((a, b) => a - b),
    breached: stored.breached || next.breached,
    ...(stored.acknowledgedAt !== undefined
      ? { acknowledgedAt: stored.acknowledgedAt, ...(stored.acknowledgedBy !== undefined ? { acknowledgedBy: stored.acknowledgedBy } : {}) }
      : {}),
    ...(restored !== undefined ? { restoredAt: restored } : {}),
  };
  if (next.restoredAt === undefined && stored.restoredAt !== undefined) return { ...merged, alerts: stored.alerts };
  return merged;
}

function sortedValues<T>(hash: Record<string, string>): T[] {
  return Object.keys(hash).sort().map((key) => JSON.parse(hash[key]!) as T);
}
