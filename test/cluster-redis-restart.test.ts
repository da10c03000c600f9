import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStateStore } from '../src/alerts/state/redis-state-store.js';
import { isFiring, plain, SLA_RULE, slaClusterConfig } from './helpers/cluster.js';
import { CountingAgent } from './helpers/counting-agent.js';
import { eventually, requireBuild, startKpid, type KpidProcess } from './helpers/kpid-process.js';
import { RedisServer } from './helpers/redis.js';
import { TestSmtpServer } from './helpers/smtp.js';

/**
 * Redis (state, leases and the BullMQ queue) is killed in the middle of a
 * run, while outages are open and their 8-second warnings fall due, and
 * comes back from its AOF. Three kpid processes keep polling and
 * evaluating; what they decided to send while Redis was down is sent once
 * it is back, and nothing is sent twice.
 */
const DOWN = ['down-1', 'down-2', 'down-3', 'down-4', 'down-5', 'down-6'];
const TARGETS = [...DOWN, ...Array.from({ length: 24 }, (_, i) => `ok-${i}`)];
const gauge = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

describe('cluster mode: a Redis restart mid-run', () => {
  const redis = new RedisServer();
  const agent = new CountingAgent();
  const smtp = new TestSmtpServer();
  const kpids: KpidProcess[] = [];
  let dir: string;

  beforeAll(async () => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'kpid-cluster-redis-'));
    writeFileSync(join(dir, 'rules.yaml'), SLA_RULE);
    await Promise.all([redis.start(), agent.start(), smtp.start()]);
    kpids.push(...await Promise.all(['kpid-1', 'kpid-2', 'kpid-3'].map((id) =>
      startKpid(slaClusterConfig({ id, redis: redis.url, agentPort: agent.port, smtpPort: smtp.port, rules: join(dir, 'rules.yaml'), targets: TARGETS })))));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(kpids.map((k) => k.stop('SIGKILL')));
    await Promise.all([agent.close(), smtp.stop()]);
    await redis.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses no notification and sends none twice; polling goes on while Redis is down', async () => {
    // Settled, then the devices go dark.
    await eventually(async () => {
      const texts = await Promise.all(kpids.map((k) => k.metrics()));
      return texts.reduce((n, t) => n + gauge(t, 'kpid_cluster_owned_targets'), 0) === TARGETS.length;
    }, 20_000, 200);
    for (const d of DOWN) agent.silent.add(d);
    const store = new RedisStateStore(redis.url);
    await eventually(async () => (await store.openOutages()).length === DOWN.length, 15_000, 50);
    await store.close();

    // Redis dies ~5 s into the outages (after the 4 s warnings) and is back ~6 s later (after the 8 s ones were due).
    await new Promise((r) => setTimeout(r, 5_000));
    await redis.stop('SIGKILL');
    const downAt = Date.now();
    await new Promise((r) => setTimeout(r, 2_500));
    const whileDown = await Promise.all(kpids.map((k) => k.metrics()));
    const pollsWhileDown = agent.between(downAt).length;
    await new Promise((r) => setTimeout(r, 3_500));
    await redis.start();
    const upAt = Date.now();

    // The breaches are due 12 s after the starts; give delivery a margin, then look for duplicates.
    const expected = DOWN.length * 4;
    const counted = () => {
      const keys = smtp.mails.flatMap((m) => {
        const t = plain(m);
        const target = /Where:\s*(?:lab\/)?(down-\d)/.exec(t)?.[1] ?? /lab\/(down-\d)/.exec(t)?.[1] ?? '?';
        if (isFiring(m, 'DeviceDown')) return [`${target} firing`];
        const warn = /SLA warning: lab\/(down-\d) down for (\d+)s/.exec(t);
        if (warn) return [`${warn[1]} warn ${warn[2]}s`];
        const breach = /SLA breached: lab\/(down-\d)/.exec(t);
        if (breach) return [`${breach[1]} breach`];
        return [`other: ${t.slice(0, 80)}`];
      });
      return keys;
    };
    await eventually(() => counted().length >= expected, 30_000, 200);
    await new Promise((r) => setTimeout(r, 3_000));
    const keys = counted().sort();
    const unique = [...new Set(keys)];
    console.log(`Redis down ${(upAt - downAt) / 1000}s; ${pollsWhileDown} polls answered while down; ${keys.length} mails for ${unique.length} distinct notifications: ${keys.join(", ")}`);

    // Polling and evaluation went on without Redis, and the instances said so.
    expect(pollsWhileDown).toBeGreaterThan(TARGETS.length);
    for (const t of whileDown) expect(gauge(t, 'kpid_cluster_redis_up')).toBe(0);
    // Every notification exactly once: firing, both warnings and the breach of each outage.
    expect(unique).toEqual(DOWN.flatMap((d) => [`${d} breach`, `${d} firing`, `${d} warn 4s`, `${d} warn 8s`]).sort());
    expect(keys).toEqual(unique);
    const after = await Promise.all(kpids.map((k) => k.metrics()));
    for (const t of after) expect(gauge(t, 'kpid_cluster_redis_up')).toBe(1);
  }, 120_000);
});
