import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisLeaseRegistry } from '../src/cluster/leases.js';
import { deletePrefix, SHARED_REDIS, uniquePrefix } from './helpers/redis.js';

/**
 * The heartbeat script of src/cluster/leases.ts against a real Redis. Each
 * member holds its own lease (a score in one sorted set, expiring at Redis'
 * TIME + ttl), so "another holder" means another member: it can neither
 * renew nor give up someone else's lease. Time is Redis' own: instead of
 * sleeping a guessed amount, the tests read Redis' TIME until a lease is
 * past its expiry.
 */
describe('RedisLeaseRegistry: cluster membership leases in Redis', () => {
  const prefix = uniquePrefix('leases');
  const key = `${prefix}members`;
  let redis: Redis;
  const registries: RedisLeaseRegistry[] = [];
  /**
   * One registry per member, as each kpid process has its own connection.
   * Its client fails fast (no offline queue), so wait until it is connected.
   */
  const member = async () => {
    const r = new RedisLeaseRegistry(SHARED_REDIS, prefix, 2_000);
    registries.push(r);
    const client = (r as unknown as { redis: Redis }).redis;
    if (client.status !== 'ready') await new Promise((ok) => client.once('ready', ok));
    return r;
  };
  const redisNow = async () => {
    const [s, us] = await redis.time();
    return Number(s) * 1000 + Math.floor(Number(us) / 1000);
  };
  const expiryOf = async (id: string) => {
    const score = await redis.zscore(key, id);
    return score === null ? undefined : Number(score);
  };
  /** Waits, on Redis' clock, until `id`'s lease has run out. */
  const untilExpired = async (id: string) => {
    const until = (await expiryOf(id))!;
    while ((await redisNow()) <= until) await new Promise((r) => setTimeout(r, 20));
  };

  beforeAll(() => {
    redis = new Redis(SHARED_REDIS, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    for (const r of registries) await r.close();
    await deletePrefix(SHARED_REDIS, prefix);
    redis.disconnect();
  });

  it('a first heartbeat acquires a lease expiring ttl after Redis\' own time, and says the member (re)joined', async () => {
    const a = await member();
    const before = await redisNow();
    const hb = await a.heartbeat('kpid-a', 30_000);
    const after = await redisNow();
    expect(hb).toEqual({ rejoined: true, members: ['kpid-a'], nextExpiryIn: Infinity });
    const expiry = (await expiryOf('kpid-a'))!;
    expect(expiry).toBeGreaterThanOrEqual(before + 30_000);
    expect(expiry).toBeLessThanOrEqual(after + 30_000);
  });

  it('the holder renews its live lease: later expiry, not a rejoin', async () => {
    const a = await member();
    const first = (await expiryOf('kpid-a'))!;
    const hb = await a.heartbeat('kpid-a', 60_000);
    expect(hb.rejoined).toBe(false);
    expect(await expiryOf('kpid-a')).toBeGreaterThan(first + 25_000);
  });

  it('another member\'s heartbeat neither renews nor takes the holder\'s lease; each sees when the other\'s runs out', async () => {
    const [a, b] = [await member(), await member()];
    const aExpiry = (await expiryOf('kpid-a'))!;
    const hbB = await b.heartbeat('kpid-b', 10_000);
    expect(hbB.rejoined).toBe(true);
    expect([...hbB.members].sort()).toEqual(['kpid-a', 'kpid-b']);
    expect(await expiryOf('kpid-a'), 'kpid-b touched kpid-a\'s lease').toBe(aExpiry);
    // kpid-b looks again when kpid-a's lease (~60 s) could lapse; kpid-a when kpid-b's (~10 s) could.
    const now = await redisNow();
    expect(hbB.nextExpiryIn).toBeGreaterThan(aExpiry - now - 1_000);
    expect(hbB.nextExpiryIn).toBeLessThanOrEqual(aExpiry - now + 1_000);
    const hbA = await a.heartbeat('kpid-a', 60_000);
    expect(hbA.rejoined).toBe(false);
    expect(hbA.nextExpiryIn).toBeGreaterThan(5_000);
    expect(hbA.nextExpiryIn).toBeLessThanOrEqual(10_000);
  });

  it('only the holder gives its lease up: leave() of one member leaves the others live', async () => {
    const [a, b] = [await member(), await member()];
    await b.leave('kpid-b');
    expect(await expiryOf('kpid-b')).toBeUndefined();
    expect(await expiryOf('kpid-a'), 'kpid-b gave up kpid-a\'s lease').toBeDefined();
    const hb = await a.heartbeat('kpid-a', 60_000);
    expect(hb).toMatchObject({ members: ['kpid-a'], rejoined: false });
    expect(hb.nextExpiryIn).toBe(Infinity);
    // A member that left and beats again has rejoined: the others may have taken its targets.
    expect((await b.heartbeat('kpid-b', 60_000)).rejoined).toBe(true);
    await b.leave('kpid-b');
  });

  it('a lease that is not renewed expires: the others stop listing it, and its holder learns it rejoined', async () => {
    const [a, c] = [await member(), await member()];
    await c.heartbeat('kpid-c', 2_000);
    // Listed while live: the next command comes well within the 2 s.
    expect((await a.heartbeat('kpid-a', 60_000)).members).toContain('kpid-c');
    await untilExpired('kpid-c');
    const hb = await a.heartbeat('kpid-a', 60_000);
    expect(hb.members, 'kpid-a takes over: kpid-c is gone').toEqual(['kpid-a']);
    expect(hb.rejoined).toBe(false);
    expect(await expiryOf('kpid-c'), 'the expired lease was dropped').toBeUndefined();
    expect((await c.heartbeat('kpid-c', 60_000)).rejoined).toBe(true);
  });

  it('a holder whose lapsed lease nobody swept yet still learns that it rejoined', async () => {
    const d = await member();
    await d.heartbeat('kpid-d', 200);
    await untilExpired('kpid-d');
    expect(await expiryOf('kpid-d'), 'nobody else beat in between').toBeDefined();
    expect((await d.heartbeat('kpid-d', 60_000)).rejoined).toBe(true);
  });
});
