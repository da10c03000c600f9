import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
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
import { trapCount } from './helpers/trap-counts.js';
import { freeUdpPort } from './helpers/udp.js';

const LINK_DOWN = '1.3.6.1.6.3.1.1.5.3';
const LINK_UP = '1.3.6.1.6.3.1.1.5.4';
const IF_INDEX_7 = ['1.3.6.1.2.1.2.2.1.1.7', 'i', '7'];
const V3_AUTH_PRIV = ['-v', '3', '-u', 'informer', '-l', 'authPriv', '-a', 'SHA', '-A', 'authpass123', '-x', 'AES', '-X', 'privpass123'];

const router: Target = { name: 'edge-2', site: 'dc2', address: '127.0.0.1', labels: {}, interval: 30_000, timeout: 5_000, probes: [] };

/**
 * An inform is a notification the sender retransmits until the receiver
 * answers it (RFC 3416 §4.2.7). Net-SNMP's snmpinform exits 0 only once a
 * Response arrived, so its exit status is the sender's own record of the
 * acknowledgement. It runs asynchronously: the receiver shares this event loop.
 */
describe('SNMP informs, sent by Net-SNMP snmpinform to the trap receiver', () => {
  let port: number;
  let receiver: TrapReceiver;
  const published: Sample[] = [];
  const registry = new Registry();
  const metrics = defineTrapMetrics(registry);
  const count = (result: string) => trapCount(metrics, result);
  const interfaceSamples = () => published.filter((s) => s.measurement === 'interface');
  /**
   * Resolves with snmpinform's exit code: 0 when acknowledged. One try, no
   * retransmission (a retransmitted inform would be a second notification).
   * An answer is waited for 5 s: the receiver shares this worker's event loop,
   * which a loaded machine stalls for over a second (a v3 inform is two round
   * trips: engine discovery, then the inform). One that must go unanswered
   * waits 1 s.
   */
  const snmpinform = (args: string[], waitS = 5) =>
    promisify(execFile)('snmpinform', ['-Ln', '-t', String(waitS), '-r', '0', ...args]).then(() => 0, (err: { code?: number }) => err.code ?? -1);

  beforeAll(async () => {
    port = await freeUdpPort();
    const config = trapsSchema.parse({
      listen: `127.0.0.1:${port}`,
      community: 'inform-secret',
      users: [{ name: 'informer', level: 'authPriv', auth_protocol: 'sha', auth_key: 'authpass123', priv_protocol: 'aes', priv_key: 'privpass123' }],
    });
    receiver = new TrapReceiver({ config: trapOptions(config), clock: systemClock, log: silentLogger(), metrics, publish: (s) => published.push(...s) });
    await receiver.start();
    await receiver.setTargets([router]);
  });
  afterAll(() => receiver?.close());

  it('a v2c linkDown inform is acknowledged and becomes oper_up 0 on that interface', async () => {
    const before = interfaceSamples().length;
    const exit = await snmpinform(['-v', '2c', '-c', 'inform-secret', `127.0.0.1:${port}`, '', LINK_DOWN, ...IF_INDEX_7]);
    expect(exit).toBe(0);
    const [s] = interfaceSamples().slice(before);
    expect(s?.tags).toEqual({ target: 'edge-2', site: 'dc2', interface: 'ifIndex 7', ifindex: '7' });
    expect(s?.fields).toEqual({ oper_up: 0, admin_up: 1, monitored: 1 });
    expect(published.filter((p) => p.measurement === 'trap').at(-1)?.tags).toEqual({ target: 'edge-2', site: 'dc2', trap: 'linkDown' });
  });

  it('a v3 authPriv linkUp inform is acknowledged and becomes oper_up 1', async () => {
    const before = interfaceSamples().length;
    // The sender discovers the receiver's engine ID first (RFC 3414 §4), then informs under it.
    const exit = await snmpinform([...V3_AUTH_PRIV, `127.0.0.1:${port}`, '', LINK_UP, ...IF_INDEX_7]);
    expect(exit).toBe(0);
    expect(interfaceSamples().slice(before).map((s) => s.fields)).toEqual([{ oper_up: 1, admin_up: 1, monitored: 1 }]);
  });

  it('an inform with the wrong community is neither acknowledged nor accepted', async () => {
    const before = published.length;
    const failed = await count('auth_failed');
    const exit = await snmpinform(['-v', '2c', '-c', 'guess', `127.0.0.1:${port}`, '', LINK_DOWN, ...IF_INDEX_7], 1);
    expect(exit).not.toBe(0);
    expect(await count('auth_failed')).toBeGreaterThan(failed);
    expect(published.length).toBe(before);
  });
});
