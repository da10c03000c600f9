import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CountingAgent, pidsOfPorts, type PollSeen } from './helpers/counting-agent.js';
import { eventually, requireBuild, startKpid, type KpidProcess } from './helpers/kpid-process.js';
import { RedisServer } from './helpers/redis.js';
import { phaseOffset } from '../src/scheduler/jobs.js';

/**
 * Three real kpid processes, one real Redis, 300 SNMP targets answered by
 * one in-process net-snmp agent that counts every poll per target and
 * notes the UDP source port, which `ss` maps to the polling process.
 */
const TARGETS = 300;
const INTERVAL = 2_000;
const TTL = 3_000;
const HEARTBEAT = 1_000;
const BOUND = 2 * INTERVAL + TTL;
/** Node may fire a timer a fraction of a millisecond early; a poll that early still belongs to its slot. */
const EARLY = 100;

/**
 * The interval a poll of `target` belongs to. In cluster mode every instance
 * polls a job at the same phase past a multiple of its interval since the epoch
 * (the scheduler's alignToClock), so the grid is known: a poll that arrives late,
 * on a loaded machine, is still in its own slot, and two polls in one slot are
 * two polls in one interval, whoever made them.
 */
const slotOf = (target: string, at: number) => Math.floor((at - phaseOffset(`${target}/snmp`, INTERVAL) + EARLY) / INTERVAL);

const names = Array.from({ length: TARGETS }, (_, i) => `ne-${String(i).padStart(3, '0')}`);

function config(id: string, redis: string, agentPort: number): string {
  const targets = names.map((n) => `  - { name: ${n}, site: lab, address: 127.0.0.1, snmp: { version: 2c, community: c-${n}, port: ${agentPort}, timeout: 800ms, retries: 0, modules: [system] } }`);
  return `server: { listen: "127.0.0.1:0" }
state: { sqlite: "data/kpid.db" }
cluster: { enabled: true, redis: "${redis}", key_prefix: "kpid-cl:", lease_ttl: ${TTL}ms, heartbeat: ${HEARTBEAT}ms, instance_id: ${id} }
defaults: { interval: ${INTERVAL}ms, timeout: 1s, concurrency: 256 }
targets:
${targets.join('\n')}
`;
}

const gauge = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Per target: which processes polled it in the window, how often, in how many distinct intervals, and the shortest gap between two polls. */
function analyse(polls: readonly PollSeen[], pidOf: Map<number, number>) {
  const byTarget = new Map<string, PollSeen[]>();
  for (const p of polls) byTarget.set(p.target, [...(byTarget.get(p.target) ?? []), p]);
  return new Map(names.map((n) => {
    const seen = (byTarget.get(n) ?? []).sort((a, b) => a.at - b.at);
    const gaps = seen.slice(1).map((p, i) => p.at - seen[i]!.at);
    return [n, {
      polls: seen.length,
      pids: new Set(seen.map((p) => pidOf.get(p.port) ?? -p.port)),
      ports: new Set(seen.map((p) => p.port)),
      slots: new Set(seen.map((p) => slotOf(n, p.at))).size,
      minGap: gaps.length ? Math.min(...gaps) : Infinity,
      last: seen.at(-1)?.at ?? 0,
    }];
  }));
}

describe('cluster mode: three kpid processes share 300 targets through Redis', () => {
  const redis = new RedisServer();
  const agent = new CountingAgent();
  const kpids = new Map<string, KpidProcess>();

  beforeAll(async () => {
    requireBuild();
    await redis.start();
    await agent.start();
    // One at a time: three Node processes loading at once on a busy two-core machine
    // can each take longer than startKpid waits for "kpid running".
    for (const id of ['kpid-1', 'kpid-2', 'kpid-3']) kpids.set(id, await startKpid(config(id, redis.url, agent.port)));
  }, 60_000);

  afterAll(async () => {
    await Promise.all([...kpids.values()].map((k) => k.stop('SIGKILL')));
    await agent.close();
    await redis.cleanup();
  });

  it('polls each target from exactly one instance, each once per interval', async () => {
    // Settled: the three see each other and their shares add up to every target.
    await eventually(async () => {
      const texts = await Promise.all([...kpids.values()].map((k) => k.metrics()));
      return texts.every((t) => gauge(t, 'kpid_cluster_members') === 3 && gauge(t, 'kpid_cluster_redis_up') === 1)
        && texts.reduce((n, t) => n + gauge(t, 'kpid_cluster_owned_targets'), 0) === TARGETS;
    }, 20_000, 200);
    await sleep(INTERVAL);
    const from = Date.now();
    await sleep(5 * INTERVAL);
    const window = analyse(agent.between(from, Date.now()), pidsOfPorts());
    const perPid = new Map<number, number>();
    for (const [name, t] of window) {
      expect(t.pids.size, `${name} polled by ${[...t.pids].join(', ')}`).toBe(1);
      expect(t.polls, name).toBeGreaterThanOrEqual(4);
      expect(t.polls, name).toBeLessThanOrEqual(6);
      expect(t.slots, `${name}: two polls in one interval`).toBe(t.polls);
      const pid = [...t.pids][0]!;
      perPid.set(pid, (perPid.get(pid) ?? 0) + 1);
    }
    const kpidPids = new Set([...kpids.values()].map((k) => k.proc.pid));
    expect([...perPid.keys()].every((p) => kpidPids.has(p))).toBe(true);
    expect(perPid.size).toBe(3);
    for (const n of perPid.values()) expect(n).toBeGreaterThan(TARGETS / 3 - 40);
    const gaps = [...window.values()].map((t) => t.minGap);
    console.log(`shares: ${[...perPid.values()].join(' / ')} targets; ${agent.between(from, Date.now()).length} polls in ${5 * INTERVAL / 1000}s; shortest gap between two polls of a target ${Math.min(...gaps)} ms`);
  }, 60_000);

  it('after kill -9 of one instance, all its targets are polled again within 2 intervals + lease TTL', async () => {
    const victim = kpids.get('kpid-2')!;
    const victimPid = victim.proc.pid!;
    const before = analyse(agent.between(Date.now() - 2 * INTERVAL), pidsOfPorts());
    const orphans = names.filter((n) => before.get(n)!.pids.has(victimPid));
    expect(orphans.length).toBeGreaterThan(50);
    await victim.stop('SIGKILL');
    kpids.delete('kpid-2');
    const killedAt = Date.now();
    await sleep(BOUND + INTERVAL);
    const after = agent.between(killedAt);
    const firstPoll = orphans.map((n) => (after.find((p) => p.target === n)?.at ?? Infinity) - killedAt);
    const worst = Math.max(...firstPoll);
    console.log(`failover: ${orphans.length} targets, first poll after the kill: median ${median(firstPoll)} ms, worst ${worst} ms (bound ${BOUND} ms)`);
    expect(worst).toBeLessThanOrEqual(BOUND);
    // And from then on, every target has exactly one poller again.
    const settled = analyse(agent.between(Date.now() - 2 * INTERVAL), pidsOfPorts());
    for (const [name, t] of settled) expect(t.pids.size, name).toBe(1);
    const survivors = await Promise.all([...kpids.values()].map((k) => k.metrics()));
    for (const t of survivors) expect(gauge(t, 'kpid_cluster_members')).toBe(2);
  }, 60_000);

  it('a new instance joining takes its share without any target polled twice in one interval', async () => {
    const joinStarted = Date.now();
    const joined = await startKpid(config('kpid-4', redis.url, agent.port));
    kpids.set('kpid-4', joined);
    await eventually(async () => gauge(await joined.metrics(), 'kpid_cluster_owned_targets') > 0, 15_000, 200);
    await sleep(3 * INTERVAL);
    const window = analyse(agent.between(joinStarted - INTERVAL), pidsOfPorts());
    let handedOver = 0;
    for (const [name, t] of window) {
      // Across the handover, never two polls of a target in one interval.
      expect(t.slots, `${name}: two polls in one interval (shortest gap ${t.minGap} ms)`).toBe(t.polls);
      if (t.pids.has(joined.proc.pid!)) handedOver++;
    }
    expect(handedOver).toBeGreaterThan(TARGETS / 3 - 40);
    const now = analyse(agent.between(Date.now() - 2 * INTERVAL), pidsOfPorts());
    for (const [name, t] of now) expect(t.pids.size, name).toBe(1);
    console.log(`join: kpid-4 took ${handedOver} targets; shortest gap between two polls of a target across the handover ${Math.min(...[...window.values()].map((t) => t.minGap))} ms`);
  }, 60_000);
});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
