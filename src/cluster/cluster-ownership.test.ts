import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import type { Target } from '../core/target.js';
import { ClusterOwnership } from './cluster-ownership.js';
import { MemoryLeaseRegistry, type LeaseRegistry } from './leases.js';
import { Registry } from 'prom-client';
import { defineClusterMetrics } from '../metrics/cluster-metrics.js';

const TTL = 3_000;
const HEARTBEAT = 1_000;
const SETTLE = HEARTBEAT + 500;
const targets: Target[] = Array.from({ length: 300 }, (_, i) => ({
  name: `router-${i}`, site: 'dc1', address: '127.0.0.1', labels: {}, interval: 1_000, timeout: 500, probes: [],
}));

/** A member whose process can be killed (it stops heartbeating and keeps no lease) or cut off from Redis. */
class Member {
  dead = false;
  cutOff = false;
  owned: string[] = [];
  changes = 0;
  readonly metrics = defineClusterMetrics(new Registry());
  readonly ownership: ClusterOwnership;

  constructor(readonly id: string, shared: MemoryLeaseRegistry, clock: FakeClock) {
    const registry: LeaseRegistry = {
      heartbeat: (m, ttl) => (this.dead ? new Promise(() => {}) : this.cutOff ? Promise.reject(new Error('ECONNREFUSED')) : shared.heartbeat(m, ttl)),
      leave: (m) => shared.leave(m),
      close: async () => {},
    };
    this.ownership = new ClusterOwnership({
      id, registry, clock, leaseTtl: TTL, heartbeat: HEARTBEAT, settle: SETTLE, metrics: this.metrics,
      onChange: (owned) => {
        this.changes++;
        this.owned = owned.map((t) => t.name);
      },
    });
    this.ownership.setTargets(targets);
  }
}

function setup(ids: string[]) {
  const clock = new FakeClock();
  const shared = new MemoryLeaseRegistry(clock);
  const members = new Map(ids.map((id) => [id, new Member(id, shared, clock)]));
  const live = () => [...members.values()].filter((m) => !m.dead);
  /** How many live members poll each target. */
  const pollers = () => {
    const count = new Map(targets.map((t) => [t.name, 0]));
    for (const m of live()) for (const n of m.owned) count.set(n, count.get(n)! + 1);
    return count;
  };
  const add = async (id: string) => {
    const m = new Member(id, shared, clock);
    members.set(id, m);
    await m.ownership.start();
    return m;
  };
  return { clock, shared, members, live, pollers, add };
}

/** Advances in 50 ms steps, checking after each that no target has two pollers. */
async function advanceChecking(c: ReturnType<typeof setup>, ms: number): Promise<number> {
  let maxPollers = 0;
  for (let t = 0; t < ms; t += 50) {
    await c.clock.advanceAsync(50, 50);
    for (const n of c.pollers().values()) maxPollers = Math.max(maxPollers, n);
  }
  return maxPollers;
}

describe('ClusterOwnership: which instance polls which target', () => {
  it('three members starting together split the targets, each polled by exactly one, after the settle time', async () => {
    const c = setup(['kpid-a', 'kpid-b', 'kpid-c']);
    for (const m of c.members.values()) await m.ownership.start();
    expect(await advanceChecking(c, SETTLE + HEARTBEAT)).toBe(1);
    expect([...c.pollers().values()].every((n) => n === 1)).toBe(true);
    let ownedByMetric = 0;
    for (const m of c.members.values()) {
      expect(m.owned.length).toBeGreaterThan(70);
      // What each member's gauges tell the operator: three members, and its share of the targets.
      expect((await m.metrics.members.get()).values[0]!.value).toBe(3);
      expect((await m.metrics.ownedTargets.get()).values[0]!.value).toBe(m.owned.length);
      ownedByMetric += (await m.metrics.ownedTargets.get()).values[0]!.value;
    }
    expect(ownedByMetric).toBe(targets.length);
  });

  it('when a member is killed, the survivors poll all its targets within the lease TTL, and nothing else moves', async () => {
    const c = setup(['kpid-a', 'kpid-b', 'kpid-c']);
    for (const m of c.members.values()) await m.ownership.start();
    await c.clock.advanceAsync(SETTLE + HEARTBEAT, 50);
    const before = new Map([...c.members.values()].map((m) => [m.id, [...m.owned]]));
    c.members.get('kpid-b')!.dead = true;
    const killedAt = c.clock.now();
    let coveredAt = Infinity;
    for (let t = 0; t < TTL + 3 * HEARTBEAT && coveredAt === Infinity; t += 50) {
      await c.clock.advanceAsync(50, 50);
      if ([...c.pollers().values()].every((n) => n === 1)) coveredAt = c.clock.now();
    }
    // The lease lapses TTL after its last heartbeat (before the kill); the survivors look again right then.
    expect(coveredAt - killedAt).toBeLessThanOrEqual(TTL + 100);
    expect(coveredAt - killedAt).toBeGreaterThanOrEqual(TTL - HEARTBEAT);
    for (const id of ['kpid-a', 'kpid-c']) {
      const now = c.members.get(id)!.owned;
      expect(before.get(id)!.every((n) => now.includes(n))).toBe(true);
      expect(now.filter((n) => !before.get(id)!.includes(n)).every((n) => before.get('kpid-b')!.includes(n))).toBe(true);
    }
  });

  it('a joining member takes its share without any target ever having two pollers', async () => {
    const c = setup(['kpid-a', 'kpid-b', 'kpid-c']);
    for (const m of c.members.values()) await m.ownership.start();
    await c.clock.advanceAsync(SETTLE + HEARTBEAT, 50);
    const before = new Map([...c.members.values()].map((m) => [m.id, [...m.owned]]));
    const d = await c.add('kpid-d');
    expect(d.owned).toEqual([]);
    expect(await advanceChecking(c, SETTLE + 2 * HEARTBEAT)).toBe(1);
    expect([...c.pollers().values()].every((n) => n === 1)).toBe(true);
    expect(d.owned.length).toBeGreaterThan(50);
    for (const id of ['kpid-a', 'kpid-b', 'kpid-c']) {
      const now = c.members.get(id)!.owned;
      // Only losses, and only to the newcomer.
      expect(now.every((n) => before.get(id)!.includes(n))).toBe(true);
      expect(before.get(id)!.filter((n) => !now.includes(n)).every((n) => d.owned.includes(n))).toBe(true);
    }
  });

  it('cut off from Redis, a member keeps polling what it owned and reports redis down; back, it reports up', async () => {
    const c = setup(['kpid-a', 'kpid-b']);
    for (const m of c.members.values()) await m.ownership.start();
    await c.clock.advanceAsync(SETTLE + HEARTBEAT, 50);
    const a = c.members.get('kpid-a')!;
    const owned = [...a.owned];
    a.cutOff = true;
    c.members.get('kpid-b')!.cutOff = true;
    await c.clock.advanceAsync(TTL * 3, 50);
    expect(a.owned).toEqual(owned);
    expect((await a.metrics.redisUp.get()).values[0]!.value).toBe(0);
    a.cutOff = false;
    c.members.get('kpid-b')!.cutOff = false;
    expect(await advanceChecking(c, 2 * HEARTBEAT)).toBe(1);
    expect(a.owned).toEqual(owned);
    expect((await a.metrics.redisUp.get()).values[0]!.value).toBe(1);
  });

  it('a member that stops cleanly hands its targets over at the next heartbeat, not after the TTL', async () => {
    const c = setup(['kpid-a', 'kpid-b']);
    for (const m of c.members.values()) await m.ownership.start();
    await c.clock.advanceAsync(SETTLE + HEARTBEAT, 50);
    const b = c.members.get('kpid-b')!;
    await b.ownership.stop();
    b.dead = true;
    await c.clock.advanceAsync(HEARTBEAT + 50, 50);
    expect(c.members.get('kpid-a')!.owned).toHaveLength(targets.length);
  });
});
