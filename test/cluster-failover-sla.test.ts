import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Outage } from '../src/alerts/state/state-store.js';
import { RedisStateStore } from '../src/alerts/state/redis-state-store.js';
import { CountingAgent, pidsOfPorts } from './helpers/counting-agent.js';
import { eventually, requireBuild, startKpid, type KpidProcess } from './helpers/kpid-process.js';
import { RedisServer } from './helpers/redis.js';
import { TestSmtpServer, type ReceivedMail } from './helpers/smtp.js';
import { isFiring, plain, SLA_RULE, slaClusterConfig } from './helpers/cluster.js';

/**
 * The outage SLA clock on a shortened scale (recovery target 12 s, warnings
 * at 4 s and 8 s, standing in for 30, 15 and 25 minutes) across the death
 * of the instance that opened the outage: three kpid processes, Redis for
 * state and the BullMQ queue, a real SMTP server.
 */
const HEALTHY = 20;
const TARGETS = ['down-1', ...Array.from({ length: HEALTHY }, (_, i) => `ok-${i}`)];
const gauge = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

describe('cluster mode: SLA warnings and breach of an outage survive the death of the instance that opened it', () => {
  const redis = new RedisServer();
  const agent = new CountingAgent();
  const smtp = new TestSmtpServer();
  const kpids: KpidProcess[] = [];
  let dir: string;
  let store: RedisStateStore;

  beforeAll(async () => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'kpid-cluster-sla-'));
    writeFileSync(join(dir, 'rules.yaml'), SLA_RULE);
    await Promise.all([redis.start(), agent.start(), smtp.start()]);
    store = new RedisStateStore(redis.url);
    // One at a time: three Node processes loading at once on a busy two-core machine
    // can each take longer than startKpid waits for "kpid running".
    for (const id of ['kpid-1', 'kpid-2', 'kpid-3']) {
      kpids.push(await startKpid(slaClusterConfig({ id, redis: redis.url, agentPort: agent.port, smtpPort: smtp.port, rules: join(dir, 'rules.yaml'), targets: TARGETS })));
    }
    // The device fails once the three share the targets, so the instance that opens
    // the outage is the one that keeps polling down-1 until it is killed.
    await eventually(async () => {
      const texts = await Promise.all(kpids.map((k) => k.metrics()));
      return texts.every((t) => gauge(t, 'kpid_cluster_members') === 3)
        && texts.reduce((n, t) => n + gauge(t, 'kpid_cluster_owned_targets'), 0) === TARGETS.length;
    }, 20_000, 200);
    agent.silent.add('down-1');
  }, 90_000);

  afterAll(async () => {
    await Promise.all(kpids.map((k) => k.stop('SIGKILL')));
    await store?.close();
    await Promise.all([agent.close(), smtp.stop()]);
    await redis.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  let outage: Outage;
  let mailsAfter: () => { about: (re: RegExp) => ReceivedMail[]; all: ReceivedMail[] };

  it('kill -9 of the opener right after the outage opens: each warning and the breach reach the NOC exactly once, on time', async () => {
    outage = await eventually(async () => (await store.openOutages()).find((o) => o.service === 'lab/down-1'), 30_000, 50);
    // The firing mail leaves the opener's memory for the BullMQ queue just after the
    // outage is stored; a kill inside that gap loses it (known gap, see the closing
    // note). This test is about what survives the opener: wait until it has left.
    await eventually(() => smtp.mails.some((m) => isFiring(m, 'DeviceDown') && plain(m).includes('down-1')), 10_000, 20);
    // Whoever polls down-1 opened it; kill that process before the first warning is due.
    // A poll of a silent device can outlast its 1 s interval (the next turn is then
    // skipped), so look back over 3 s; ownership has been stable since the cluster settled.
    const pollers = new Map(agent.between(Date.now() - 3_000).filter((p) => p.target === 'down-1').map((p) => [pidsOfPorts().get(p.port), p]));
    const opener = kpids.find((k) => pollers.has(k.proc.pid!))!;
    expect(opener, 'the process polling down-1').toBeDefined();
    await opener.stop('SIGKILL');
    const killedAt = Date.now();
    expect(killedAt - outage.startedAt).toBeLessThan(4_000);
    kpids.splice(kpids.indexOf(opener), 1);

    const id = outage.id;
    mailsAfter = () => ({
      all: smtp.mails,
      about: (re: RegExp) => smtp.mails.filter((m) => re.test(plain(m)) && plain(m).includes(`outage ${id}`)),
    });
    // Breach is due 12 s after the start; leave time for a duplicate to show up.
    await eventually(() => mailsAfter().about(/SLA breached/).length > 0, 25_000, 100);
    await new Promise((r) => setTimeout(r, 3_000));
    const warn4 = mailsAfter().about(/SLA warning: lab\/down-1 down for 4s/);
    const warn8 = mailsAfter().about(/SLA warning: lab\/down-1 down for 8s/);
    const breach = mailsAfter().about(/SLA breached: lab\/down-1/);
    const at = (m: ReceivedMail[]) => m.map((x) => ((x.at - outage.startedAt) / 1000).toFixed(1));
    console.log(`outage ${id}: opener killed ${(killedAt - outage.startedAt) / 1000}s in; warn 4s at ${at(warn4)}s, warn 8s at ${at(warn8)}s, breach at ${at(breach)}s`);
    expect([warn4.length, warn8.length, breach.length]).toEqual([1, 1, 1]);
    // On time: due + at most one sweep (1 s) + delivery.
    expect(warn4[0]!.at - outage.startedAt).toBeLessThan(4_000 + 3_000);
    expect(warn8[0]!.at - outage.startedAt).toBeLessThan(8_000 + 3_000);
    expect(breach[0]!.at - outage.startedAt).toBeLessThan(12_000 + 3_000);
    const stored = await store.getOutage(id);
    expect(stored?.warningsSent).toEqual([4_000, 8_000]);
    expect(stored?.breached).toBe(true);
  }, 90_000);

  it('the new owner adopts the firing alert instead of firing it again and opening a second outage (needs AlertKeeper adopt/release)', async () => {
    const firing = smtp.mails.filter((m) => isFiring(m, 'DeviceDown') && plain(m).includes('down-1'));
    const otherOutages = (await store.openOutages()).filter((o) => o.service === 'lab/down-1' && o.id !== outage.id);
    console.log(`after the handover: ${firing.length} firing mails for DeviceDown, ${otherOutages.length} other open outages for lab/down-1`);
    expect(firing.length).toBeGreaterThan(0);
    expect(firing).toHaveLength(1);
    expect(otherOutages).toEqual([]);
  });

  it('when the device answers again, the new owner resolves the alert and restores the original outage, once', async () => {
    agent.silent.delete('down-1');
    const restored = await eventually(async () => {
      const o = await store.getOutage(outage.id);
      return o?.restoredAt !== undefined && o;
    }, 15_000, 100);
    expect(restored.restoredAt).toBeGreaterThan(outage.startedAt);
    const restoreMails = () => smtp.mails.filter((m) => /restored after/.test(plain(m)) && plain(m).includes(`outage ${outage.id}`));
    await eventually(() => restoreMails().length > 0, 10_000, 100);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(restoreMails()).toHaveLength(1);
    expect((await store.openOutages()).filter((o) => o.service === 'lab/down-1')).toEqual([]);
    expect((await store.listAlerts()).filter((a) => a.labels.target === 'down-1')).toEqual([]);
  }, 30_000);
});
