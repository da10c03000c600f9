import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SnmpCollector, type SnmpCollectorOptions } from '../src/collectors/snmp/snmp-collector.js';
import { NetSnmpSession, type SessionAddress, type SnmpSession } from '../src/collectors/snmp/snmp-session.js';
import { snmpTarget, type SnmpConfig } from '../src/collectors/snmp/snmp-config.js';
import type { SnmpOptions } from '../src/collectors/snmp/snmp-options.js';
import { FakeClock, type Clock } from '../src/core/clock.js';
import { CollectorError } from '../src/core/errors.js';
import { silentLogger } from '../src/core/logger.js';
import type { Sample } from '../src/core/sample.js';
import type { Target } from '../src/core/target.js';
import { startDeviceAgent, VOICE_OIDS, type DeviceAgent } from '../src/demo/device-agent.js';
import { ScaledClock } from '../src/demo/scaled-clock.js';
import { SimulatedDevice, type DeviceSpec } from '../src/demo/simulated-device.js';
import { freeUdpPort } from './helpers/snmpd.js';

/**
 * The demo's simulated devices, polled by kpid's real SNMP collector over
 * loopback: what kpid computes must be exactly what the fault script set.
 */
const SPEC: DeviceSpec = {
  name: 'sw', site: 'lab', descr: 'simulated',
  interfaces: [
    { index: 1, name: 'xe-0/0/0', alias: 'uplink', speedMbps: 10_000, inUtil: 0.5, outUtil: 0.25 },
    { index: 2, name: 'Gi0/1', alias: 'trunk', speedMbps: 1_000, inUtil: 0.1, outUtil: 0.2 },
  ],
  voice: { attemptsPerSecond: 10, answered: 0.95, dropped: 0.01, holdSeconds: 100 },
};

const voiceEntry = {
  measurement: 'voice',
  fields: {
    call_attempts: { oid: `${VOICE_OIDS.attempts}.0`, type: 'counter', as: 'delta' },
    calls_answered: { oid: `${VOICE_OIDS.answered}.0`, type: 'counter', as: 'delta' },
    calls_dropped: { oid: `${VOICE_OIDS.dropped}.0`, type: 'counter', as: 'delta' },
    active_calls: { oid: `${VOICE_OIDS.active}.0`, type: 'gauge' },
  },
};

/** The ifHCInOctets column, and its row for xe-0/0/0 (ifIndex 1). */
const IN_OCTETS = '1.3.6.1.2.1.31.1.1.1.6';
const XE_IN_OCTETS = `${IN_OCTETS}.1`;

const find = (samples: Sample[], measurement: string, iface?: string) =>
  samples.find((s) => s.measurement === measurement && (iface === undefined || s.tags.interface === iface))!;

describe('demo device agents polled by the SNMP collector', () => {
  let port: number;
  let agent: DeviceAgent | undefined;
  let collector: SnmpCollector | undefined;
  let n = 0;
  const signal = new AbortController().signal;
  let spec: SnmpConfig;

  beforeAll(async () => {
    port = await freeUdpPort();
    // A generous timeout: agent and collector share one event loop on a loaded
    // machine, and only the powered-off device is meant to time out.
    spec = snmpTarget.parse({
      community: 'public', port, timeout: '2s', retries: 0,
      modules: ['system', 'interfaces', 'custom'], custom: [voiceEntry], confirm: { attempts: 0 },
    });
  });
  afterEach(async () => {
    await collector?.close();
    await agent?.close();
    agent = undefined;
  });
  afterAll(async () => {
    await agent?.close();
  });

  async function setUp(clock: Clock, openSession?: SnmpCollectorOptions['openSession']): Promise<{ device: SimulatedDevice; poll: () => Promise<Sample[]> }> {
    const device = new SimulatedDevice(SPEC, clock.now());
    agent = await startDeviceAgent(device, clock, '127.0.0.1', port);
    collector = new SnmpCollector({ log: silentLogger(), clock, openSession });
    const target: Target = { name: `sim-${++n}`, site: 'lab', address: '127.0.0.1', labels: {}, interval: 30_000, timeout: 10_000, probes: [] };
    return { device, poll: () => collector!.collect(target, spec, signal) };
  }

  it('rates and call counts are exactly what the script set, on the same clock', async () => {
    const clock = new FakeClock();
    const { device, poll } = await setUp(clock);
    const first = await poll();
    expect(find(first, 'device').fields).toMatchObject({ up: 1, uptime_seconds: 12 * 86_400 });
    clock.advance(30_000);
    const second = await poll();
    expect(find(second, 'interface', 'xe-0/0/0').fields).toMatchObject({ in_bps: 5e9, out_bps: 2.5e9, in_utilization: 0.5, out_utilization: 0.25, oper_up: 1 });
    expect(find(second, 'interface', 'Gi0/1').fields).toMatchObject({ in_utilization: 0.1, out_utilization: 0.2 });
    expect(find(second, 'interface', 'xe-0/0/0').tags).toMatchObject({ alias: 'uplink', ifindex: '1' });
    // 30 s at 10 attempts/s: 300 attempts, 95 % answered, 1 % dropped; 10/s × 100 s held.
    expect(find(second, 'voice').fields).toEqual({ call_attempts: 300, calls_answered: 285, calls_dropped: 3, active_calls: 1_000 });

    // The faults: congestion at 96 % and a 2 % drop spike, 10 s into the next interval.
    clock.advance(10_000);
    device.setUtilisation('xe-0/0/0', 'in', 0.96, clock.now());
    device.setDropShare(0.02, clock.now());
    clock.advance(20_000);
    const third = await poll();
    expect(find(third, 'interface', 'xe-0/0/0').fields.in_utilization).toBeCloseTo((0.5 * 10 + 0.96 * 20) / 30, 9);
    expect(find(third, 'voice').fields).toMatchObject({ call_attempts: 300, calls_dropped: 1 + 4 });
    clock.advance(30_000);
    expect(find(await poll(), 'interface', 'xe-0/0/0').fields.in_utilization).toBeCloseTo(0.96, 9);
  });

  it('a fibre cut reads oper down with no traffic', async () => {
    const clock = new FakeClock();
    const { device, poll } = await setUp(clock);
    await poll();
    device.setLink('xe-0/0/0', false, clock.now());
    clock.advance(30_000);
    const s = await poll();
    expect(find(s, 'interface', 'xe-0/0/0').fields).toMatchObject({ oper_up: 0, admin_up: 1, in_bps: 0, out_bps: 0 });
    expect(find(s, 'interface', 'Gi0/1').fields).toMatchObject({ oper_up: 1, in_utilization: 0.1 });
  });

  it('a powered-off device does not answer; powered on, it has rebooted (no rates that interval, one counter reset)', async () => {
    const clock = new FakeClock();
    const { device, poll } = await setUp(clock);
    await poll();
    device.powerOff();
    clock.advance(30_000);
    const err = await poll().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(CollectorError);
    expect((err as CollectorError).reason).toBe('timeout');
    expect((err as CollectorError).samples).toEqual([expect.objectContaining({ measurement: 'device', fields: { up: 0 } })]);

    clock.advance(60_000);
    device.powerOn(clock.now());
    clock.advance(30_000);
    const back = await poll();
    expect(find(back, 'device').fields).toMatchObject({ up: 1, uptime_seconds: 30, counter_resets: 1 });
    expect(find(back, 'interface', 'xe-0/0/0').fields.in_bps).toBeUndefined();
    clock.advance(30_000);
    expect(find(await poll(), 'interface', 'xe-0/0/0').fields.in_utilization).toBeCloseTo(0.5, 9);
  });

  it('on a ScaledClock at speed 60 (a 30 s interval is 0.5 s real) rates are the truth, within the demo time a request took', async () => {
    const clock = new ScaledClock(60);
    // The demo-time window of each request that brought xe-0/0/0's ifHCInOctets:
    // the agent read the counter, and the collector its clock, inside it. At 60×
    // a millisecond the machine spends elsewhere is 60 demo milliseconds, so the
    // truth is bounded by these windows, not by a fixed percentage.
    const windows: { from: number; to: number }[] = [];
    const timedSession = (address: SessionAddress, s: SnmpOptions): SnmpSession => {
      const real = new NetSnmpSession(address, s);
      return {
        version: real.version,
        get: (oids, sig) => real.get(oids, sig),
        next: async (oid, n, sig) => {
          const from = clock.now();
          const vbs = await real.next(oid, n, sig);
          // The walk of that column (a walk of another may run past it, unused).
          if (oid === IN_OCTETS && vbs.some((vb) => vb.oid === XE_IN_OCTETS)) {
            const w = { from, to: Infinity };
            windows.push(w);
            // After the collector's own reading, which follows in this microtask chain.
            setImmediate(() => (w.to = clock.now()));
          }
          return vbs;
        },
        close: () => real.close(),
      };
    };
    const { poll } = await setUp(clock, timedSession);
    const utilisation = async () => find(await poll(), 'interface', 'xe-0/0/0').fields.in_utilization;
    await utilisation();
    for (let i = 1; i <= 3; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const read = await utilisation();
      expect(windows).toHaveLength(i + 1);
      const shortest = windows[i]!.from - windows[i - 1]!.to;
      const longest = windows[i]!.to - windows[i - 1]!.from;
      // Requests much shorter than the interval, or the bound below says little.
      expect(longest / shortest).toBeLessThan(1.5);
      expect(read).toBeGreaterThanOrEqual((0.5 * shortest) / longest);
      expect(read).toBeLessThanOrEqual((0.5 * longest) / shortest);
    }
  });
});
