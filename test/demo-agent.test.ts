import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SnmpCollector } from '../src/collectors/snmp/snmp-collector.js';
import { snmpTarget, type SnmpConfig } from '../src/config/sections/snmp.js';
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
    spec = snmpTarget.parse({
      community: 'public', port, timeout: '300ms', retries: 0,
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

  async function setUp(clock: Clock): Promise<{ device: SimulatedDevice; poll: () => Promise<Sample[]> }> {
    const device = new SimulatedDevice(SPEC, clock.now());
    agent = await startDeviceAgent(device, clock, '127.0.0.1', port);
    collector = new SnmpCollector({ log: silentLogger(), clock });
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

  it('on a ScaledClock at speed 60 (a 30 s interval is 0.5 s real) rates stay within 2 % of the truth', async () => {
    const clock = new ScaledClock(60);
    const { poll } = await setUp(clock);
    await poll();
    const readings: number[] = [];
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 500));
      readings.push(find(await poll(), 'interface', 'xe-0/0/0').fields.in_utilization!);
    }
    for (const r of readings) expect(Math.abs(r - 0.5)).toBeLessThan(0.01);
  });
});
