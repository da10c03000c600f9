import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Ack, Outage, OutboxEntry, Silence, StateStore, StoredAlert } from './state-store.js';
import { KpidError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { closeRedis, connectRedis } from '../../core/redis-connection.js';
import { CAS_OUTAGE, CLAIM, PRUNE } from './redis-scripts.js';
import { readStoredSilences, type UnreadableSilence } from './stored-silence.js';

export interface RedisStateStoreOptions {
  /** Prefix of every key; instances of one cluster share it. Default `kpid:state:`. */
  readonly prefix?: string;
  /** Commands this store may have waiting on Redis before it refuses more (Redis down). Default 10 000. */
  readonly maxPending?: number;
  readonly log?: Logger;
}

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
  private readonly k: Record<'alerts' | 'outages' | 'open' | 'started' | 'openByService' | 'notified' | 'claims' | 'acks' | 'silences' | 'outbox' | 'outboxDue' | 'links' | 'secrets' | 'ruleMemory' | 'ruleMemoryAt', string>;
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
      outbox: `${p}outbox`, outboxDue: `${p}outbox:due`, links: `${p}links-seen-up`,
      secrets: `${p}secrets`,
      ruleMemory: `${p}rule-memory`, ruleMemoryAt: `${p}rule-memory:at`,
    };
    this.maxPending = o.maxPending ?? 10_000;
    this.redis = connectRedis(url, o.log);
    this.redis.defineCommand('kpidCasOutage', { numberOfKeys: 4, lua: CAS_OUTAGE });
    this.redis.defineCommand('kpidClaim', { numberOfKeys: 3, lua: CLAIM });
    this.redis.defineCommand('kpidPrune', { numberOfKeys: 2, lua: PRUNE });
    this.scripts = this.redis as unknown as Scripts;
  }

  async putAlert(alert: StoredAlert, outbox?: OutboxEntry): Promise<void> {
    if (!outbox) {
      await this.run(() => this.redis.hset(this.k.alerts, alert.fingerprint, JSON.stringify(alert)));
      return;
    }
    // MULTI/EXEC: the alert and its outbox entry are written together or not at all.
    const id = outbox.notification.id;
    await this.run(() => this.redis.multi()
      .hset(this.k.alerts, alert.fingerprint, JSON.stringify(alert))
      .hset(this.k.outbox, id, JSON.stringify(outbox))
      .zadd(this.k.outboxDue, outbox.dueAt, id)
      .exec().then(failedIn));
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

  async pruneNotifications(before: number, keep: readonly string[] = []): Promise<number> {
    return Number(await this.run(() => this.scripts.kpidPrune(this.k.claims, this.k.notified, String(before), ...keep)));
  }

  /** Each Redis write is atomic on its own; a batch needs nothing more. */
  async beginBatch(): Promise<void> {}

  async commitBatch(): Promise<void> {}

  async overdueOutbox(now: number): Promise<OutboxEntry[]> {
    const ids = await this.run(() => this.redis.zrangebyscore(this.k.outboxDue, '-inf', now));
    if (!ids.length) return [];
    const found = await this.run(() => this.redis.hmget(this.k.outbox, ...ids));
    return found.filter((b): b is string => b !== null).map((b) => JSON.parse(b) as OutboxEntry);
  }

  async removeOutbox(id: string): Promise<void> {
    await this.run(() => this.redis.multi().hdel(this.k.outbox, id).zrem(this.k.outboxDue, id).exec().then(failedIn));
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

  async listSilences(onUnreadable?: (bad: UnreadableSilence) => void): Promise<Silence[]> {
    const hash = await this.run(() => this.redis.hgetall(this.k.silences));
    return readStoredSilences(Object.keys(hash).sort().map((id) => ({ id, body: hash[id]! })), onUnreadable);
  }

  async linksSeenUp(): Promise<string[]> {
    return (await this.run(() => this.redis.hkeys(this.k.links))).sort();
  }

  async rememberLinkSeenUp(link: string, at: number): Promise<void> {
    await this.run(() => this.redis.hsetnx(this.k.links, link, String(at)));
  }

  async keepSecret(name: string, candidate: string): Promise<string> {
    await this.run(() => this.redis.hsetnx(this.k.secrets, name, candidate));
    return (await this.run(() => this.redis.hget(this.k.secrets, name)))!;
  }

  async ruleMemory(): Promise<Map<string, string>> {
    const hash = await this.run(() => this.redis.hgetall(this.k.ruleMemory));
    return new Map(Object.keys(hash).sort().map((key) => [key, hash[key]!]));
  }

  async saveRuleMemory(entries: readonly { key: string; body: string }[], at: number, forgetBefore: number): Promise<void> {
    // The bodies in a hash, their save times in a sorted set: forgetting the stale ones is one range query.
    // Stale ones go first, so an entry saved now is never forgotten by its old time.
    const stale = await this.run(() => this.redis.zrangebyscore(this.k.ruleMemoryAt, '-inf', `(${forgetBefore}`));
    const tx = this.redis.multi();
    if (stale.length) tx.hdel(this.k.ruleMemory, ...stale).zrem(this.k.ruleMemoryAt, ...stale);
    for (const e of entries) tx.hset(this.k.ruleMemory, e.key, e.body).zadd(this.k.ruleMemoryAt, at, e.key);
    await this.run(() => tx.exec().then(failedIn));
  }

  async close(): Promise<void> {
    await closeRedis(this.redis);
  }

  private async casOutage(outage: Outage, mode: 'put' | 'open'): Promise<Outage> {
    let id = outage.id;
    // What to write given what is stored now; recomputed from a fresh read on every attempt.
    // Alerts join an open outage; two openers may even compute the same id (same service and start).
    const join = (stored: Outage): Outage => ({ ...stored, alerts: [...new Set([...stored.alerts, ...outage.alerts])] });
    let change = (stored: Outage | undefined): Outage => {
      if (!stored) return outage;
      return mode === 'open' && stored.restoredAt === undefined ? join(stored) : mergeOutage(stored, outage);
    };
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
        change = (stored) => (stored ? join(stored) : outage);
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
  // How it ended travels with the end it belongs to.
  const endedBy = next.restoredAt !== undefined ? next.endedBy : stored.endedBy;
  const { endedBy: _ignored, ...rest } = next;
  const merged: Outage = {
    ...rest,
    warningsSent: [...new Set([...stored.warningsSent, ...next.warningsSent])].sort((a, b) => a - b),
    breached: stored.breached || next.breached,
    ...(stored.acknowledgedAt !== undefined
      ? { acknowledgedAt: stored.acknowledgedAt, ...(stored.acknowledgedBy !== undefined ? { acknowledgedBy: stored.acknowledgedBy } : {}) }
      : {}),
    ...(restored !== undefined ? { restoredAt: restored } : {}),
    ...(endedBy !== undefined ? { endedBy } : {}),
  };
  if (next.restoredAt === undefined && stored.restoredAt !== undefined) return { ...merged, alerts: stored.alerts };
  return merged;
}

/** Throws the first error of a MULTI/EXEC reply (EXEC itself resolves even when a command failed). */
function failedIn(replies: [Error | null, unknown][] | null): void {
  if (!replies) throw new KpidError('state_multi_aborted', 'a Redis transaction was aborted', {});
  const err = replies.find(([e]) => e)?.[0];
  if (err) throw err;
}

function sortedValues<T>(hash: Record<string, string>): T[] {
  return Object.keys(hash).sort().map((key) => JSON.parse(hash[key]!) as T);
}
