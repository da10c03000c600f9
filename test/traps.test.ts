import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrapReceiver } from '../src/collectors/trap/trap-receiver.js';
import { traps as trapsSchema } from '../src/collectors/trap/trap-config.js';
import { trapOptions } from '../src/collectors/trap/trap-options.js';
import { systemClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/logger.js';
import type { Sample } from '../src/core/sample.js';
import type { Target } from '../src/core/target.js';
import { defineTrapMetrics } from '../src/metrics/trap-metrics.js';
import { eventually } from './helpers/kpid-process.js';
import { trapCount } from './helpers/trap-counts.js';
import { captureDatagram, freeUdpPort, sendDatagrams } from './helpers/udp.js';

const ENGINE = '0x80001f8880aabbccdd01';
const LINK_DOWN = '1.3.6.1.6.3.1.1.5.3';
const LINK_UP = '1.3.6.1.6.3.1.1.5.4';
const IF_INDEX_3 = ['1.3.6.1.2.1.2.2.1.1.3', 'i', '3'];

const router: Target = { name: 'edge-1', site: 'dc1', address: '127.0.0.1', labels: {}, interval: 30_000, timeout: 5_000, probes: [] };

describe('SNMP trap receiver, with traps sent by Net-SNMP snmptrap', () => {
  let port: number;
  let receiver: TrapReceiver;
  const published: Sample[] = [];
  const registry = new Registry();
  const metrics = defineTrapMetrics(registry);
  const count = (result: string) => trapCount(metrics, result);
  const snmptrap = (args: string[]) => execFileSync('snmptrap', ['-Ln', ...args], { stdio: 'pipe' });
  const interfaceSamples = () => published.filter((s) => s.measurement === 'interface');

  beforeAll(async () => {
    port = await freeUdpPort();
    const config = trapsSchema.parse({
      listen: `127.0.0.1:${port}`,
      community: 'trap-secret',
      users: [{ name: 'trapuser', level: 'authPriv', auth_protocol: 'sha', auth_key: 'authpass123', priv_protocol: 'aes', priv_key: 'privpass123' }],
    });
    receiver = new TrapReceiver({ config: trapOptions(config), clock: systemClock, log: silentLogger(), metrics, publish: (s) => published.push(...s) });
    await receiver.start();
    await receiver.setTargets([router]);
    // What the SNMP collector would have published for ifIndex 3.
    receiver.interfaces.learn([{
      measurement: 'interface', time: 0, fields: { oper_up: 1, monitored: 1 },
      tags: { target: 'edge-1', site: 'dc1', interface: 'ge-0/0/3', ifindex: '3', descr: 'uplink', alias: 'to core' },
    }, {
      // An unused port (never seen up): its traps page nobody.
      measurement: 'interface', time: 0, fields: { oper_up: 0, monitored: 0 },
      tags: { target: 'edge-1', site: 'dc1', interface: 'ge-0/0/4', ifindex: '4', descr: '', alias: '' },
    }]);
  });
  afterAll(() => receiver?.close());

  it('a v2c linkDown becomes oper_up 0 on the polled interface, with its tags and whether the poll judged it monitored', async () => {
    snmptrap(['-v', '2c', '-c', 'trap-secret', `127.0.0.1:${port}`, '', LINK_DOWN, ...IF_INDEX_3]);
    const s = await eventually(() => interfaceSamples().at(-1));
    expect(s.tags).toEqual({ target: 'edge-1', site: 'dc1', interface: 'ge-0/0/3', ifindex: '3', descr: 'uplink', alias: 'to core' });
    expect(s.fields).toEqual({ oper_up: 0, admin_up: 1, monitored: 1 });
    expect(published.find((p) => p.measurement === 'trap')?.tags).toEqual({ target: 'edge-1', site: 'dc1', trap: 'linkDown' });
  });

  it('a linkDown on a port the poll judged unused says monitored 0', async () => {
    const before = interfaceSamples().length;
    snmptrap(['-v', '2c', '-c', 'trap-secret', `127.0.0.1:${port}`, '', LINK_DOWN, '1.3.6.1.2.1.2.2.1.1.4', 'i', '4']);
    const s = await eventually(() => interfaceSamples()[before]);
    expect(s.tags.interface).toBe('ge-0/0/4');
    expect(s.fields).toEqual({ oper_up: 0, admin_up: 1, monitored: 0 });
  });

  it('a v1 linkUp (generic trap 3) becomes oper_up 1', async () => {
    const before = interfaceSamples().length;
    snmptrap(['-v', '1', '-c', 'trap-secret', `127.0.0.1:${port}`, '1.3.6.1.4.1.8072', '127.0.0.1', '3', '0', '', ...IF_INDEX_3]);
    const s = await eventually(() => interfaceSamples()[before]);
    expect(s.fields).toEqual({ oper_up: 1, admin_up: 1, monitored: 1 });
    expect(s.tags.interface).toBe('ge-0/0/3');
  });

  it('a v3 authPriv trap from a configured user is accepted', async () => {
    const before = interfaceSamples().length;
    snmptrap(['-v', '3', '-e', ENGINE, '-u', 'trapuser', '-l', 'authPriv', '-a', 'SHA', '-A', 'authpass123', '-x', 'AES', '-X', 'privpass123',
      `127.0.0.1:${port}`, '', LINK_UP, ...IF_INDEX_3]);
    const s = await eventually(() => interfaceSamples()[before]);
    expect(s.fields).toEqual({ oper_up: 1, admin_up: 1, monitored: 1 });
  });

  it('ifAdminStatus in the trap is reported: a port shut by an operator is admin down', async () => {
    const before = interfaceSamples().length;
    snmptrap(['-v', '2c', '-c', 'trap-secret', `127.0.0.1:${port}`, '', LINK_DOWN, ...IF_INDEX_3,
      '1.3.6.1.2.1.2.2.1.7.3', 'i', '2', '1.3.6.1.2.1.2.2.1.8.3', 'i', '2']);
    const s = await eventually(() => interfaceSamples()[before]);
    expect(s.fields).toEqual({ oper_up: 0, admin_up: 0, monitored: 1 });
  });

  it('a v3 trap with the wrong key is rejected and counted', async () => {
    const accepted = await count('accepted');
    snmptrap(['-v', '3', '-e', ENGINE, '-u', 'trapuser', '-l', 'authPriv', '-a', 'SHA', '-A', 'wrongpass999', '-x', 'AES', '-X', 'privpass123',
      `127.0.0.1:${port}`, '', LINK_DOWN, ...IF_INDEX_3]);
    await eventually(async () => (await count('auth_failed')) >= 1);
    expect(await count('accepted')).toBe(accepted);
  });

  it('a wrong community is rejected and counted', async () => {
    const failed = await count('auth_failed');
    snmptrap(['-v', '2c', '-c', 'guess', `127.0.0.1:${port}`, '', LINK_DOWN, ...IF_INDEX_3]);
    await eventually(async () => (await count('auth_failed')) > failed);
  });

  it('a trap from an address that is no target is counted and dropped', async () => {
    await receiver.setTargets([{ ...router, address: '127.0.0.9' }]);
    const before = published.length;
    snmptrap(['-v', '2c', '-c', 'trap-secret', `127.0.0.1:${port}`, '', LINK_DOWN, ...IF_INDEX_3]);
    await eventually(async () => (await count('unknown_source')) >= 1);
    expect(published.length).toBe(before);
    await receiver.setTargets([router]);
  });

  it('3,000 random and mutated datagrams crash nothing, each is counted under exactly one result, and no accepted trap is lost', async () => {
    // A real v2c linkDown, captured from snmptrap, to mutate.
    const valid = await captureDatagram((p) =>
      snmptrap(['-v', '2c', '-c', 'trap-secret', `127.0.0.1:${p}`, '', LINK_DOWN, ...IF_INDEX_3]));
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const packets: Buffer[] = [];
    for (let i = 0; i < 3000; i++) {
      if (i % 2) {
        packets.push(Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 200) }, () => Math.floor(rand() * 256))));
      } else {
        const p = Buffer.from(valid);
        for (let k = 0; k < 1 + Math.floor(rand() * 4); k++) p[Math.floor(rand() * p.length)] = Math.floor(rand() * 256);
        packets.push(p.subarray(0, Math.max(1, Math.floor(rand() * p.length) + 1)));
      }
    }
    const acceptedBefore = await count('accepted');
    const samplesBefore = interfaceSamples().length;
    const results = ['accepted', 'malformed', 'auth_failed', 'unsupported', 'unknown_source'];
    const handled = async () => results.reduce(async (a, r) => (await a) + (await count(r)), Promise.resolve(0));
    const handledBefore = await handled();
    // In bursts small enough for the socket buffer, each sent only once the receiver has
    // accounted for the one before: every datagram must then show up under exactly one result.
    for (let i = 0; i < packets.length; i += 100) {
      await sendDatagrams(port, packets.slice(i, i + 100));
      const sent = Math.min(i + 100, packets.length);
      await eventually(async () => (await handled()) - handledBefore >= sent, 10_000, 20)
        .catch(async () => expect.fail(`after ${sent} datagrams sent, ${(await handled()) - handledBefore} were accounted for; kernel drops on the trap port: ${udpDrops(port)}`));
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(udpDrops(port), 'datagrams the kernel dropped before kpid saw them').toBe(0);
    const byResult = Object.fromEntries(await Promise.all(results.map(async (r) => [r, await count(r)] as const)));
    expect((await handled()) - handledBefore, `received = accepted + each rejection: ${JSON.stringify(byResult)}`).toBe(packets.length);
    // Still alive and still accepting: a real trap after the storm gets through.
    snmptrap(['-v', '2c', '-c', 'trap-secret', `127.0.0.1:${port}`, '', LINK_UP, ...IF_INDEX_3]);
    const s = await eventually(() => interfaceSamples().slice(samplesBefore).find((x) => x.fields.oper_up === 1));
    expect(s.tags.interface).toBe('ge-0/0/3');
    const accepted = (await count('accepted')) - acceptedBefore;
    // Every accepted notification produced its samples: nothing accepted was lost.
    expect(published.filter((p) => p.measurement === 'trap').length).toBe(await count('accepted'));
    expect(accepted).toBeGreaterThanOrEqual(1);
    expect((await count('malformed')) + (await count('auth_failed')) + (await count('unsupported'))).toBeGreaterThan(100);
  });
});

/** Datagrams the kernel dropped on the loopback UDP socket bound to `port` (last column of /proc/net/udp). */
function udpDrops(port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const line = readFileSync('/proc/net/udp', 'utf8').split('\n').find((l) => l.trim().split(/\s+/)[1]?.endsWith(`:${hexPort}`));
  return line ? Number(line.trim().split(/\s+/).at(-1)) : NaN;
}
