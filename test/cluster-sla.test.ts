import { afterAll, describe, expect, it } from 'vitest';
import type { Notification } from '../src/core/alert.js';
import { FakeClock } from '../src/core/clock.js';
import { RedisStateStore } from '../src/alerts/state/redis-state-store.js';
import { SlaSweeper } from '../src/alerts/sla-sweeper.js';
import { deletePrefix, SHARED_REDIS, uniquePrefix } from './helpers/redis.js';
import { outageFixture } from './helpers/state-store-contract.js';

describe('SLA timers any cluster member fires, exactly once', () => {
  const prefix = uniquePrefix('sla');
  const stores: RedisStateStore[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close();
    await deletePrefix(SHARED_REDIS, prefix);
  });

  it('three instances sweeping the same ledger send each warning and the breach of an outage once, on time', async () => {
    const clock = new FakeClock(Date.UTC(2026, 2, 1));
    const start = clock.now();
    const received: Array<{ id: string; at: number }> = [];
    const sweepers = Array.from({ length: 3 }, () => {
      const store = new RedisStateStore(SHARED_REDIS, { prefix });
      stores.push(store);
      return new SlaSweeper({ store, clock, every: 1_000, notifier: { deliver: (n: Notification) => void received.push({ id: n.id, at: clock.now() }) } });
    });
    // The instance that opened it is gone: only the ledger in Redis remembers it.
    await stores[0]!.putOutage(outageFixture({ id: 'o-gone', startedAt: start, recoveryTarget: 30 * 60_000, warnAt: [15 * 60_000, 25 * 60_000] }));
    // The sweeps run concurrently, as on three machines.
    for (let t = 0; t < 35 * 60; t++) {
      clock.advance(1_000);
      await Promise.all(sweepers.map((s) => s.sweep()));
    }
    expect(received.map((r) => r.id)).toEqual(['outage:o-gone:warn:900000', 'outage:o-gone:warn:1500000', 'outage:o-gone:breach']);
    expect(received.map((r) => (r.at - start) / 60_000)).toEqual([15, 25, 30]);
    const o = await stores[1]!.getOutage('o-gone');
    expect(o?.warningsSent).toEqual([900_000, 1_500_000]);
    expect(o?.breached).toBe(true);
    expect(sweepers.reduce((n, s) => n + s.sent, 0)).toBe(3);
  }, 30_000);

  it('a step the opener already claimed is recorded but not sent again', async () => {
    const clock = new FakeClock(Date.UTC(2026, 2, 2));
    const store = new RedisStateStore(SHARED_REDIS, { prefix });
    stores.push(store);
    const received: string[] = [];
    const sweeper = new SlaSweeper({ store, clock, every: 1_000, notifier: { deliver: (n) => void received.push(n.id) } });
    await store.putOutage(outageFixture({ id: 'o-opener', startedAt: clock.now() }));
    // The opener's own SLA clock claimed the 15-minute warning, then the opener died before recording it.
    expect(await store.claimNotification('outage:o-opener:warn:900000', clock.now())).toBe(true);
    clock.advance(16 * 60_000);
    await sweeper.sweep();
    expect(received).toEqual([]);
    expect((await store.getOutage('o-opener'))?.warningsSent).toEqual([900_000]);
  });
});
