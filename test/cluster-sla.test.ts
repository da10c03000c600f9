import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Outage } from '../src/alerts/state/state-store.js';
import type { Notification } from '../src/core/alert.js';
import { FakeClock } from '../src/core/clock.js';
import { RedisStateStore } from '../src/alerts/state/redis-state-store.js';
import { SlaSweeper } from '../src/alerts/sla-sweeper.js';
import { isFiring, plain, SLA_RULE, slaClusterConfig } from './helpers/cluster.js';
import { CountingAgent, pidsOfPorts } from './helpers/counting-agent.js';
import { eventually, requireBuild, startKpid, type KpidProcess } from './helpers/kpid-process.js';
import { deletePrefix, RedisServer, SHARED_REDIS, uniquePrefix } from './helpers/redis.js';
import { TestSmtpServer } from './helpers/smtp.js';
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
    // Each sweeps every 5 s: the warnings and the breach fall on a sweep, so "on time" is to the
    // millisecond, and one sweep late or early is 5 s off. (Every second, the 2,100 rounds of three
    // sweeps through Redis outlasted the test's 30 s on a loaded machine.)
    const every = 5_000;
    const received: Array<{ id: string; at: number }> = [];
    const sweepers = Array.from({ length: 3 }, () => {
      const store = new RedisStateStore(SHARED_REDIS, { prefix });
      stores.push(store);
      return new SlaSweeper({ store, clock, every, notifier: { deliver: (n: Notification) => void received.push({ id: n.id, at: clock.now() }) } });
    });
    // The instance that opened it is gone: only the ledger in Redis remembers it.
    await stores[0]!.putOutage(outageFixture({ id: 'o-gone', startedAt: start, recoveryTarget: 30 * 60_000, warnAt: [15 * 60_000, 25 * 60_000] }));
    // The sweeps run concurrently, as on three machines.
    for (let t = 0; t < (35 * 60_000) / every; t++) {
      clock.advance(every);
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

/**
 * The gap of issue 14 §6: the firing message of a new outage waits in the
 * opener's memory (here for a group_wait of 10 s, so the gap is wide) after
 * the outage is stored and before it is queued in BullMQ. Kill the opener
 * inside that gap: the outbox entry written with the alert lets the
 * survivor deliver it. The kill after the mail left is covered in
 * cluster-failover-sla.test.ts.
 */
describe('cluster mode: the opener killed after the outage is stored, before its firing message is queued', () => {
  const GROUP_WAIT = 10_000;
  const redis = new RedisServer();
  const agent = new CountingAgent();
  const smtp = new TestSmtpServer();
  const kpids: KpidProcess[] = [];
  const targets = ['down-1', 'ok-1', 'ok-2', 'ok-3'];
  let dir: string;
  let store: RedisStateStore;
  let outage: Outage;

  beforeAll(async () => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'kpid-cluster-gap-'));
    writeFileSync(join(dir, 'rules.yaml'), SLA_RULE);
    await Promise.all([redis.start(), agent.start(), smtp.start()]);
    store = new RedisStateStore(redis.url);
    kpids.push(...await Promise.all(['kpid-1', 'kpid-2'].map((id) => startKpid(
      slaClusterConfig({ id, redis: redis.url, agentPort: agent.port, smtpPort: smtp.port, rules: join(dir, 'rules.yaml'), targets })
        .replace('group_wait: 0s', `group_wait: ${GROUP_WAIT / 1000}s`)))));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(kpids.map((k) => k.stop('SIGKILL')));
    await store?.close();
    await Promise.all([agent.close(), smtp.stop()]);
    await redis.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const firingMails = () => smtp.mails.filter((m) => isFiring(m, 'DeviceDown') && plain(m).includes('down-1'));

  it('kill -9 of the opener inside the gap: the outage is in the shared store, no firing mail has left', async () => {
    // Settled first: one process alone polls down-1, so the one that opens its outage is known.
    const poller = await eventually(() => {
      const since = Date.now() - 2_500;
      const ports = new Set(agent.between(since).filter((p) => p.target === 'down-1').map((p) => p.port));
      const pids = new Set([...ports].map((port) => pidsOfPorts().get(port)));
      return ports.size > 0 && agent.polls[0]!.at < since && pids.size === 1 && [...pids][0];
    }, 30_000, 200);
    const opener = kpids.find((k) => k.proc.pid === poller)!;
    expect(opener, 'the process polling down-1').toBeDefined();

    agent.silent.add('down-1');
    outage = await eventually(async () => (await store.openOutages()).find((o) => o.service === 'lab/down-1'), 15_000, 20);
    await opener.stop('SIGKILL');
    const killedAt = Date.now();
    kpids.splice(kpids.indexOf(opener), 1);
    // Inside the gap: the firing message was still waiting out group_wait in the opener's memory.
    expect(killedAt - outage.startedAt).toBeLessThan(GROUP_WAIT - 2_000);
    expect(firingMails()).toEqual([]);
  }, 60_000);

  it('the survivor takes the outage over: each SLA warning and the breach still reach the NOC once', async () => {
    const about = (re: RegExp) => smtp.mails.filter((m) => re.test(plain(m)) && plain(m).includes(`outage ${outage.id}`));
    await eventually(() => about(/SLA breached: lab\/down-1/).length > 0, 12_000 + GROUP_WAIT + 15_000, 100);
    expect([/SLA warning: lab\/down-1 down for 4s/, /SLA warning: lab\/down-1 down for 8s/, /SLA breached: lab\/down-1/]
      .map((re) => about(re).length)).toEqual([1, 1, 1]);
  }, 60_000);

  // Issue 14 §6: the firing message was stored in the outbox with its alert; once overdue (group_wait
  // + 5 s after it was written) the survivor's sweep delivers it, through its own group_wait.
  it('the firing message of that outage still reaches the NOC, once, from the outbox', async () => {
    const lateBy = GROUP_WAIT + 5_000 + GROUP_WAIT;
    await eventually(() => firingMails().length > 0, lateBy + 10_000, 100);
    expect(firingMails()).toHaveLength(1);
    expect(plain(firingMails()[0]!)).toContain(`outage ${outage.id}`);
    // Nothing else sends it again: the outbox entry is gone, and a later sweep finds nothing.
    expect(await store.overdueOutbox(Date.now() + 3_600_000)).toEqual([]);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(firingMails()).toHaveLength(1);
  }, 60_000);
});
