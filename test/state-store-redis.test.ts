import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStateStore } from '../src/alerts/state/redis-state-store.js';
import { deletePrefix, RedisServer, SHARED_REDIS, uniquePrefix } from './helpers/redis.js';
import { alertFixture, describeStateStoreContract, outageFixture } from './helpers/state-store-contract.js';

describeStateStoreContract('redis', async () => {
  const prefix = uniquePrefix('state');
  return {
    open: async () => new RedisStateStore(SHARED_REDIS, { prefix }),
    cleanup: async () => deletePrefix(SHARED_REDIS, prefix),
  };
});

describe('RedisStateStore in a cluster', () => {
  const prefix = uniquePrefix('state');
  const stores: RedisStateStore[] = [];
  const open = () => {
    const s = new RedisStateStore(SHARED_REDIS, { prefix });
    stores.push(s);
    return s;
  };
  afterAll(async () => {
    for (const s of stores) await s.close();
    await deletePrefix(SHARED_REDIS, prefix);
  });

  it('never loses a warning, a breach, an ack or a restore to a writer that had not seen it', async () => {
    const [a, b] = [open(), open()];
    await a.putOutage(outageFixture({ id: 'm-1' }));
    await a.putOutage(outageFixture({ id: 'm-1', warningsSent: [900_000], acknowledgedAt: 5, acknowledgedBy: 'ana' }));
    // b still holds the outage as first written and records the breach.
    await b.putOutage(outageFixture({ id: 'm-1', breached: true, cause: 'fibre cut' }));
    expect(await a.getOutage('m-1')).toEqual(outageFixture({
      id: 'm-1', warningsSent: [900_000], breached: true, acknowledgedAt: 5, acknowledgedBy: 'ana', cause: 'fibre cut',
    }));
    await a.putOutage(outageFixture({ id: 'm-1', alerts: [], restoredAt: outageFixture().startedAt + 60_000 }));
    await b.putOutage(outageFixture({ id: 'm-1', cause: 'fibre cut' }));
    const o = await a.getOutage('m-1');
    expect(o?.restoredAt).toBe(outageFixture().startedAt + 60_000);
    expect(o?.alerts).toEqual([]);
    expect((await b.openOutages()).map((x) => x.id)).not.toContain('m-1');
  });

  it('opens one outage per service however many instances race to open it', async () => {
    const racers = Array.from({ length: 8 }, () => open());
    const results = await Promise.all(racers.map((s, i) =>
      s.openOutage(outageFixture({ id: `race-${i}`, service: 'sms-dc2', alerts: [`fp-${i}`], startedAt: 1_000 + i }))));
    const ids = new Set(results.map((r) => r.id));
    expect(ids.size).toBe(1);
    const open_ = (await racers[0]!.openOutages()).filter((o) => o.service === 'sms-dc2');
    expect(open_).toHaveLength(1);
    expect([...open_[0]!.alerts].sort()).toEqual(Array.from({ length: 8 }, (_, i) => `fp-${i}`).sort());
  });

  it('counts a claim resent after a lost reply (same attempt) as won, and anyone else\'s as lost', async () => {
    const store = open() as unknown as { scripts: Record<string, (...a: string[]) => Promise<number>>; k: Record<string, string> };
    const claim = (token: string) => store.scripts.kpidClaim!(store.k.claims!, store.k.notified!, store.k.outages!, 'outage:o-r:breach', token, '1');
    expect(await claim('attempt-1')).toBe(1);
    // ioredis resends an unanswered command after reconnecting: the same attempt must still win.
    expect(await claim('attempt-1')).toBe(1);
    expect(await claim('attempt-2')).toBe(0);
  });

  it('refuses SLA warnings and breaches of an outage already restored, wherever its clock still runs', async () => {
    const [a, b] = [open(), open()];
    await a.putOutage(outageFixture({ id: 'o-done', startedAt: 0 }));
    expect(await b.claimNotification('outage:o-done:warn:900000', 1)).toBe(true);
    await a.putOutage(outageFixture({ id: 'o-done', startedAt: 0, alerts: [], restoredAt: 1_000_000 }));
    expect(await b.claimNotification('outage:o-done:warn:1500000', 2)).toBe(false);
    expect(await b.claimNotification('outage:o-done:breach', 3)).toBe(false);
    expect(await b.claimNotification('outage:o-done:restored', 4)).toBe(true);
  });

  it('lets exactly one of many instances claim each of 200 notifications, and records that one as the claimant', async () => {
    const racers = Array.from({ length: 5 }, () => open());
    const ids = Array.from({ length: 200 }, (_, i) => `outage:o-x:warn:${i}`);
    const wins = await Promise.all(racers.map((s) => Promise.all(ids.map((id) => s.claimNotification(id, 1)))));
    // Per notification, not in total: a duplicate of one must not hide behind a loss of another.
    const winnersOf = ids.map((_, i) => racers.flatMap((_, r) => (wins[r]![i] ? [r] : [])));
    expect(winnersOf.map((w, i) => ({ id: ids[i], winners: w })).filter((c) => c.winners.length !== 1)).toEqual([]);
    // The claim Redis kept is the winner's: its token starts with that instance's token.
    const tokenOf = (s: RedisStateStore) => (s as unknown as { token: string }).token;
    const redis = new Redis(SHARED_REDIS);
    const claims = await redis.hgetall(`${prefix}claims`).finally(() => redis.disconnect());
    expect(ids.map((id, i) => claims[id]?.split(':')[0] === tokenOf(racers[winnersOf[i]![0]!]!))).toEqual(ids.map(() => true));
  });
});

describe('RedisStateStore across a Redis restart', () => {
  const server = new RedisServer();
  beforeAll(() => server.start());
  afterAll(() => server.cleanup());

  it('keeps what was written (AOF) and runs commands issued while Redis was down once it is back', async () => {
    const store = new RedisStateStore(server.url, { prefix: 'kpid:state:' });
    try {
      await store.putAlert(alertFixture());
      expect(await store.claimNotification('n-before', 1)).toBe(true);
      await server.stop('SIGKILL');
      const during = store.claimNotification('n-during', 2);
      const again = store.claimNotification('n-before', 3);
      await new Promise((r) => setTimeout(r, 300));
      await server.start();
      expect(await during).toBe(true);
      expect(await again).toBe(false);
      expect(await store.listAlerts()).toEqual([alertFixture()]);
    } finally {
      await store.close();
    }
  });
});
