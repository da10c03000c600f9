import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SnmpCollector } from '../src/collectors/snmp/snmp-collector.js';
import { snmpTarget, type SnmpConfig } from '../src/collectors/snmp/snmp-config.js';
import { FakeClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/logger.js';
import type { Sample } from '../src/core/sample.js';
import type { Target } from '../src/core/target.js';
import { agentUptime, engineBoots, restartSnmpd, type RestartedSnmpd } from './helpers/restart-snmpd.js';
import { minimalCounter64, startCraftedAgent, type CraftedAgent, type CraftedInterface } from './helpers/snmp-agent.js';
import { startSnmpd, V3_USER, type Snmpd } from './helpers/snmpd.js';

const TICKS_MOD = 2 ** 32;
/** 10 Mbit/s for 30 s, in octets. */
const OCTETS_10M_30S = 37_500_000n;

const sample = (samples: Sample[], measurement: string) => samples.find((s) => s.measurement === measurement)!;
const iface = (samples: Sample[]) => sample(samples, 'interface');

describe('SNMP collector against crafted answers (in-process net-snmp Agent)', () => {
  let agent: CraftedAgent;
  let clock: FakeClock;
  let collector: SnmpCollector;
  let n = 0;
  let name = '';
  const signal = new AbortController().signal;
  const spec = (extra: Record<string, unknown> = {}): SnmpConfig =>
    snmpTarget.parse({ community: 'public', port: agent.port, timeout: '300ms', retries: 0, modules: ['interfaces'], ...extra });
  const target = (): Target => ({ name, site: 'lab', address: '127.0.0.1', labels: {}, interval: 30_000, timeout: 10_000, probes: [] });
  const poll = (s = spec()) => collector.collect(target(), s, signal);
  /** Two polls 30 s apart on the fake clock, with the agent's state set before each. */
  async function twoPolls(first: () => void, second: () => void, s = spec()): Promise<Sample[]> {
    first();
    await poll(s);
    clock.advance(30_000);
    second();
    return poll(s);
  }
  const row = (over: Partial<CraftedInterface>): CraftedInterface =>
    ({ index: 1, name: 'xe-0/0/0', highSpeed: 10_000, hcIn: 0n, hcOut: 0n, in32: 0, out32: 0, ...over });

  beforeAll(async () => {
    agent = await startCraftedAgent();
  });
  afterAll(async () => {
    await collector?.close();
    await agent?.close();
  });
  beforeEach(() => {
    clock = new FakeClock();
    collector = new SnmpCollector({ log: silentLogger(), clock });
    name = `crafted-${++n}`;
    agent.looping = false;
  });

  it('the helper encodes Counter64 as real agents do: 5 bytes above 2^32, 9 bytes from 2^63', () => {
    expect(minimalCounter64(2n ** 32n + 5n)).toHaveLength(5);
    expect(minimalCounter64(2n ** 63n)).toHaveLength(9);
    expect(minimalCounter64(1n)).toHaveLength(1);
  });

  it.each([
    ['a Counter64 of 5 bytes', 2n ** 32n + 123n],
    ['a Counter64 of 9 bytes (top bit set)', 2n ** 64n - 2n ** 40n],
  ])('%s is decoded exactly: 10 Mbit/s', async (_n, start) => {
    const samples = await twoPolls(
      () => { agent.uptimeTicks = 1_000_000; agent.set(row({ hcIn: start })); },
      () => { agent.uptimeTicks = 1_003_000; agent.set(row({ hcIn: start + OCTETS_10M_30S })); },
    );
    expect(iface(samples).fields.in_bps).toBeCloseTo(10e6, 3);
    expect(iface(samples).fields.in_utilization).toBeCloseTo(0.001, 9);
  });

  it('SNMPv1 reads the 32-bit ifTable counters with GETNEXT, and a wrap gives the true rate', async () => {
    const before = TICKS_MOD - 10_000_000;
    const samples = await twoPolls(
      () => { agent.uptimeTicks = 2_000_000; agent.set(row({ in32: before, out32: 5 })); },
      () => { agent.uptimeTicks = 2_003_000; agent.set(row({ in32: Number(OCTETS_10M_30S) - 10_000_000, out32: 5 })); },
      spec({ version: 1 }),
    );
    expect(iface(samples).fields.in_bps).toBeCloseTo(10e6, 3);
    expect(iface(samples).fields.out_bps).toBe(0);
  });

  it('a reboot that cleared the counters: no rate this interval, counted once (not once per counter), rates resume after', async () => {
    const samples = await twoPolls(
      () => { agent.uptimeTicks = 5_000_000; agent.set(row({ hcIn: 9_000_000_000n })); },
      () => { agent.uptimeTicks = 1_000; agent.set(row({ hcIn: 12_345n })); },
    );
    expect(iface(samples).fields.in_bps).toBeUndefined();
    expect(iface(samples).fields.oper_up).toBe(1);
    expect(sample(samples, 'device').fields.counter_resets).toBe(1);
    // The next interval has rates again, from the post-reboot baseline.
    clock.advance(30_000);
    agent.uptimeTicks = 4_000;
    agent.set(row({ hcIn: 12_345n + OCTETS_10M_30S }));
    const after = await poll();
    expect(iface(after).fields.in_bps).toBeCloseTo(10e6, 3);
    expect(sample(after, 'device').fields.counter_resets).toBe(0);
  });

  it('a reboot where every counter reads higher than before is still a reboot: sysUpTime went back, so no rate', async () => {
    // The device was up 50 000 s, rebooted, and its counters (cleared at boot)
    // have already passed the old values: only sysUpTime tells.
    const samples = await twoPolls(
      () => { agent.uptimeTicks = 5_000_000; agent.set(row({ hcIn: 1_000_000n, hcOut: 2_000_000n, in32: 1_000_000, out32: 2_000_000 })); },
      () => { agent.uptimeTicks = 2_500; agent.set(row({ hcIn: 1_000_000n + OCTETS_10M_30S, hcOut: 2_000_000n + OCTETS_10M_30S, in32: 1_000_001, out32: 2_000_001 })); },
    );
    expect(iface(samples).fields).toEqual({ oper_up: 1, admin_up: 1, speed_bps: 10e9, monitored: 1 });
    expect(sample(samples, 'device').fields.counter_resets).toBe(1);
  });

  it('a Counter32 that reads lower after a reboot is not read as a wrap: no rate', async () => {
    // Read as a wrap, 4.0e9 → 1 000 would be 2^32 − 4.0e9 + 1 000 octets: 78.6 Mbit/s of traffic that never was.
    const samples = await twoPolls(
      () => { agent.uptimeTicks = 9_000_000; agent.set(row({ in32: 4_000_000_000, out32: 4_000_000_000 })); },
      () => { agent.uptimeTicks = 1_500; agent.set(row({ in32: 1_000, out32: 1_000 })); },
      spec({ version: 1 }),
    );
    expect(iface(samples).fields.in_bps).toBeUndefined();
    expect(iface(samples).fields.out_bps).toBeUndefined();
    expect(sample(samples, 'device').fields.counter_resets).toBe(1);
  });

  it('the 497-day sysUpTime rollover is not a reboot: rates continue', async () => {
    const samples = await twoPolls(
      () => { agent.uptimeTicks = TICKS_MOD - 1_000; agent.set(row({ hcIn: 77n })); },
      () => { agent.uptimeTicks = 2_000; agent.set(row({ hcIn: 77n + OCTETS_10M_30S })); },
    );
    expect(iface(samples).fields.in_bps).toBeCloseTo(10e6, 3);
    expect(sample(samples, 'device').fields.counter_resets).toBe(0);
  });

  it('an agent whose sysUpTime never moves still gets correct rates from local time', async () => {
    const samples = await twoPolls(
      () => { agent.uptimeTicks = 4242; agent.set(row({ hcIn: 1_000n })); },
      () => { agent.uptimeTicks = 4242; agent.set(row({ hcIn: 1_000n + OCTETS_10M_30S })); },
    );
    expect(iface(samples).fields.in_bps).toBeCloseTo(10e6, 3);
  });

  it('a rate above 1.1 × the interface speed is discarded and counted', async () => {
    const samples = await twoPolls(
      () => { agent.uptimeTicks = 100_000; agent.set(row({ highSpeed: 1, hcIn: 0n, hcOut: 0n })); },
      // 10 Mbit/s in on a 1 Mbit/s port: impossible. Out 1.05 Mbit/s: kept.
      () => { agent.uptimeTicks = 103_000; agent.set(row({ highSpeed: 1, hcIn: OCTETS_10M_30S, hcOut: 3_937_500n })); },
    );
    expect(iface(samples).fields.in_bps).toBeUndefined();
    expect(iface(samples).fields.out_bps).toBeCloseTo(1.05e6, 3);
    expect(sample(samples, 'device').fields.discarded_rates).toBe(1);
  });

  it('an agent that answers GETBULK with non-increasing OIDs ends the poll with walk_loop, never loops', async () => {
    agent.uptimeTicks = 100;
    agent.set(row({}));
    agent.looping = true;
    const err = await poll().catch((e) => e);
    expect(err.reason).toBe('walk_loop');
    expect(err.message).toMatch(/not increasing/);
    expect(err.message).toContain(name);
    expect(err.context.oid).toMatch(/^1\.3\.6\.1\.2\.1\./);
  });

  it('a table longer than max_rows ends with table_too_long', async () => {
    agent.uptimeTicks = 100;
    for (const index of [1, 2, 3]) agent.set(row({ index, name: `ge-${index}` }));
    const err = await poll(spec({ max_rows: 2 })).catch((e) => e);
    expect(err.reason).toBe('table_too_long');
  });

  it('a custom OID the agent does not have is no_such_object; a string read as a counter is wrong_type', async () => {
    agent.uptimeTicks = 100;
    agent.set(row({}));
    const missing = spec({ modules: ['custom'], custom: [{ measurement: 'voice', fields: { x: { oid: '1.3.6.1.4.1.424242.1.0', type: 'gauge' } } }] });
    expect((await poll(missing).catch((e) => e)).reason).toBe('no_such_object');
    const wrong = spec({ modules: ['custom'], custom: [{ measurement: 'voice', fields: { x: { oid: '1.3.6.1.2.1.31.1.1.1.1.1', type: 'counter' } } }] });
    const err = await poll(wrong).catch((e) => e);
    expect(err.reason).toBe('wrong_type');
    expect(err.context.oid).toBe('1.3.6.1.2.1.31.1.1.1.1.1');
  });
});

describe('SNMP collector against an agent that answers garbage', () => {
  let sock: Socket;
  let port = 0;
  beforeAll(async () => {
    sock = createSocket('udp4');
    // A truncated SEQUENCE: claims 0x40 bytes, carries 3.
    sock.on('message', (_m, rinfo) => sock.send(Buffer.from([0x30, 0x40, 0x02, 0x01, 0x01]), rinfo.port, rinfo.address));
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    port = sock.address().port;
  });
  afterAll(() => sock?.close());

  it('a malformed or truncated response is counted as malformed, not as a timeout, and confirmed like one', async () => {
    const collector = new SnmpCollector({ log: silentLogger() });
    const s = snmpTarget.parse({ community: 'public', port, timeout: '100ms', retries: 0, confirm: { attempts: 1, delay: '10ms' } });
    const t: Target = { name: 'garbage', site: 'lab', address: '127.0.0.1', labels: {}, interval: 30_000, timeout: 10_000, probes: [] };
    const err = await collector.collect(t, s, new AbortController().signal).catch((e) => e);
    expect(err.reason).toBe('malformed');
    expect(err.message).toMatch(/malformed or truncated/);
    await collector.close();
  });
});

describe('SNMPv3 reboot detection against a real snmpd that restarts', () => {
  let agent: Snmpd;
  let restarted: RestartedSnmpd | undefined;
  beforeAll(async () => {
    // 1 Mbit/s each way on a 10G port: any rate the collector wrongly computes is far from being discarded as impossible.
    agent = await startSnmpd({ interfaces: [{ index: 1, name: 'Gi0/1', ifHighSpeed: 10_000, inBytesPerSec: 125_000, outBytesPerSec: 125_000 }] });
  });
  afterAll(async () => {
    await restarted?.stop();
    await agent?.stop();
  });

  it('snmpEngineBoots going up is a reboot, even when sysUpTime and every counter read higher than at the last poll', async () => {
    const clock = new FakeClock();
    const collector = new SnmpCollector({ log: silentLogger(), clock });
    const spec = snmpTarget.parse({
      version: 3, port: agent.port, modules: ['interfaces'],
      user: { name: V3_USER.name, level: 'authPriv', auth_protocol: 'sha256', auth_key: V3_USER.authKey, priv_protocol: 'aes', priv_key: V3_USER.privKey },
    });
    const target: Target = { name: 'v3-reboot', site: 'lab', address: agent.address, labels: {}, interval: 30_000, timeout: 10_000, probes: [] };
    const signal = new AbortController().signal;
    const uptimeOf = (samples: Sample[]) => sample(samples, 'device').fields.uptime_seconds!;
    /** Moves the fake clock by as much as the agent's sysUpTime moved, so sysUpTime alone looks continuous. */
    const followAgent = async (lastUptime: number) => clock.advance(Math.round(((await agentUptime(agent)) / 100 - lastUptime) * 1000));
    try {
      const bootsBefore = await engineBoots(agent, V3_USER);
      const first = await collector.collect(target, spec, signal);

      restarted = await restartSnmpd(agent);
      // Wait until the new engine has been up longer than the old one was at the first poll.
      await vi.waitFor(async () => expect(await agentUptime(agent)).toBeGreaterThan(uptimeOf(first) * 100 + 100), { timeout: 20_000, interval: 200 });
      await followAgent(uptimeOf(first));
      const second = await collector.collect(target, spec, signal);

      // Ground truth: the engine restarted once, sysUpTime did not go back, the counters went on growing.
      expect(await engineBoots(agent, V3_USER)).toBe(bootsBefore + 1);
      expect(uptimeOf(second)).toBeGreaterThan(uptimeOf(first));
      expect(iface(second).fields).toEqual({ oper_up: 1, admin_up: 1, speed_bps: 10e9, monitored: 1 });
      expect(sample(second, 'device').fields.counter_resets).toBe(1);

      // From the post-reboot baseline, rates again.
      await new Promise((r) => setTimeout(r, 1_000));
      await followAgent(uptimeOf(second));
      const third = await collector.collect(target, spec, signal);
      expect(sample(third, 'device').fields.counter_resets).toBe(0);
      expect(iface(third).fields.in_bps).toBeGreaterThan(0.5e6);
      expect(iface(third).fields.in_bps).toBeLessThan(2e6);
    } finally {
      await collector.close();
    }
  });
});
