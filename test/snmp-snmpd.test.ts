import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnmpCollector } from '../src/collectors/snmp/snmp-collector.js';
import { snmpTarget, type SnmpConfig } from '../src/collectors/snmp/snmp-config.js';
import { CollectorError } from '../src/core/errors.js';
import { silentLogger } from '../src/core/logger.js';
import type { Sample } from '../src/core/sample.js';
import type { Target } from '../src/core/target.js';
import { startSnmpd, V3_USER, type FakeInterface, type Snmpd } from './helpers/snmpd.js';

const UPLINK: FakeInterface = {
  index: 1, name: 'Gi0/1', descr: 'GigabitEthernet0/1', alias: 'uplink to core', ifHighSpeed: 1000,
  inBytesPerSec: 1_250_000, outBytesPerSec: 250_000, inPktsPerSec: 10_000, outPktsPerSec: 5000, inErrorsPerSec: 200, outErrorsPerSec: 0,
  base: 5_000_000_000,
};
const ACCESS_DOWN: FakeInterface = { index: 2, name: 'Gi0/2', descr: 'GigabitEthernet0/2', oper: 2, ifHighSpeed: 1000 };
const SHUT: FakeInterface = { index: 3, name: 'Gi0/3', admin: 2, oper: 2 };
const FAST: FakeInterface = {
  index: 10, name: 'Te1/1', alias: 'backbone', ifSpeed: 4_294_967_295, ifHighSpeed: 10_000, inBytesPerSec: 500_000_000, outBytesPerSec: 62_500_000,
};
const VOICE = '1.3.6.1.4.1.99999.1';

const spec = (input: Record<string, unknown>): SnmpConfig => snmpTarget.parse(input);
const target = (name: string, agent: Snmpd, snmpSpec: SnmpConfig): Target =>
  ({ name, site: 'lab', address: agent.address, labels: {}, interval: 30_000, timeout: 10_000, probes: [], snmp: snmpSpec });
const byInterface = (samples: Sample[]) =>
  new Map(samples.filter((s) => s.measurement === 'interface').map((s) => [s.tags.interface, s]));
const within1pct = (actual: number | undefined, expected: number) => {
  expect(actual).toBeDefined();
  expect(Math.abs(actual! - expected) / expected).toBeLessThan(0.01);
};

describe('SNMP collector against Debian snmpd', () => {
  let agent: Snmpd;
  const collector = new SnmpCollector({ log: silentLogger() });
  const signal = new AbortController().signal;
  /**
   * A collector on the agent's own stopped clock. snmpd asks the helper for each
   * row of a GETBULK in turn, so on the wall clock a row's value is produced tens
   * of milliseconds before the reply leaves, and that lead varies from poll to
   * poll. With the agent's time pinned and given to the collector, the counters
   * move by exactly rate × interval and the collector divides by that interval.
   */
  const onAgentTime = () => {
    const clock = agent.pinClock();
    return { clock, collector: new SnmpCollector({ log: silentLogger(), clock }) };
  };

  beforeAll(async () => {
    agent = await startSnmpd({
      interfaces: [UPLINK, ACCESS_DOWN, SHUT, FAST],
      counters: [
        { oid: `${VOICE}.1.0`, type: 'counter64', perSec: 200 }, // call attempts
        { oid: `${VOICE}.2.0`, type: 'counter64', perSec: 190 }, // answered
        { oid: `${VOICE}.3.0`, type: 'counter', perSec: 50 }, // dropped
      ],
    });
  });
  afterAll(async () => {
    await collector.close();
    await agent?.stop();
  });

  it('v2c and v3 authPriv (SHA-256/AES): bits/s within 1 % of the agent\'s known rates, from the second poll on', async () => {
    const { clock, collector } = onAgentTime();
    const v2 = target('edge-v2c', agent, spec({ version: '2c', community: 'public', port: agent.port }));
    const v3 = target('edge-v3', agent, spec({
      version: 3, port: agent.port,
      user: { name: V3_USER.name, level: 'authPriv', auth_protocol: 'sha256', auth_key: V3_USER.authKey, priv_protocol: 'aes', priv_key: V3_USER.privKey },
    }));
    for (const t of [v2, v3]) {
      const first = await collector.collect(t, t.snmp as SnmpConfig, signal);
      const uplink = byInterface(first).get('Gi0/1')!;
      // Status from the first poll; no rate without a previous counter.
      expect(uplink.fields).toEqual({ oper_up: 1, admin_up: 1, speed_bps: 1e9, monitored: 1 });
    }
    clock.advance(2500);
    for (const t of [v2, v3]) {
      const samples = await collector.collect(t, t.snmp as SnmpConfig, signal);
      const ifs = byInterface(samples);
      const uplink = ifs.get('Gi0/1')!;
      expect(uplink.tags).toEqual({
        target: t.name, site: 'lab', interface: 'Gi0/1', descr: 'GigabitEthernet0/1', alias: 'uplink to core', ifindex: '1',
      });
      within1pct(uplink.fields.in_bps, 10e6);
      within1pct(uplink.fields.out_bps, 2e6);
      within1pct(uplink.fields.in_utilization, 0.01);
      within1pct(uplink.fields.in_errors_ratio, 200 / 10_200);
      expect(uplink.fields.out_errors_ratio).toBe(0);
      // 10G port: ifSpeed saturated, ifHighSpeed says 10 000 Mbit/s.
      const fast = ifs.get('Te1/1')!;
      expect(fast.fields.speed_bps).toBe(10e9);
      within1pct(fast.fields.in_bps, 4e9);
      within1pct(fast.fields.in_utilization, 0.4);
      expect(ifs.get('Gi0/2')!.fields).toMatchObject({ oper_up: 0, admin_up: 1, in_bps: 0 });
      expect(ifs.get('Gi0/3')!.fields).toMatchObject({ oper_up: 0, admin_up: 0 });
      const device = samples.find((s) => s.measurement === 'device')!;
      expect(device.fields).toMatchObject({ up: 1, counter_resets: 0, discarded_rates: 0 });
      expect(device.fields.uptime_seconds).toBeGreaterThan(0);
    }
    // One session per device, reused across polls; forgetting the target closes it.
    expect(collector.openSessions).toBe(2);
    collector.forget('edge-v2c');
    collector.forget('edge-v3');
    expect(collector.openSessions).toBe(0);
    await collector.close();
  });

  it('custom counters map a voice switch\'s calls into the voice measurement, as per-poll deltas', async () => {
    const s = spec({
      community: 'public', port: agent.port, modules: ['custom'],
      custom: [{
        measurement: 'voice',
        fields: {
          call_attempts: { oid: `${VOICE}.1.0`, type: 'counter', as: 'delta' },
          calls_answered: { oid: `${VOICE}.2.0`, type: 'counter', as: 'delta' },
          calls_dropped: { oid: `${VOICE}.3.0`, type: 'counter', as: 'rate' },
        },
      }],
    });
    const t = target('voice-sw', agent, s);
    const { clock, collector } = onAgentTime();
    expect((await collector.collect(t, s, signal)).filter((x) => x.measurement === 'voice')).toEqual([]);
    clock.advance(2000);
    const voice = (await collector.collect(t, s, signal)).find((x) => x.measurement === 'voice')!;
    expect(voice.tags).toEqual({ target: 'voice-sw', site: 'lab' });
    // answered/attempts is 190/200 whatever the interval.
    expect(voice.fields.calls_answered! / voice.fields.call_attempts!).toBeCloseTo(0.95, 2);
    within1pct(voice.fields.call_attempts, 400);
    within1pct(voice.fields.calls_dropped, 50);
    await collector.close();
  });

  it('interfaces are filtered by name regex, admin status and alias', async () => {
    const poll = async (interfaces: Record<string, unknown>) => {
      const s = spec({ community: 'public', port: agent.port, modules: ['interfaces'], interfaces });
      const samples = await collector.collect(target(`filter-${JSON.stringify(interfaces)}`, agent, s), s, signal);
      return [...byInterface(samples).keys()].sort();
    };
    expect(await poll({ include: '^Gi' })).toEqual(['Gi0/1', 'Gi0/2', 'Gi0/3']);
    expect(await poll({ include: '^Gi', exclude: '/3$' })).toEqual(['Gi0/1', 'Gi0/2']);
    expect(await poll({ admin_status: ['up'] })).toEqual(['Gi0/1', 'Gi0/2', 'Te1/1']);
    expect(await poll({ alias: 'uplink|backbone' })).toEqual(['Gi0/1', 'Te1/1']);
  });

  it('a wrong v3 key is an auth error naming the target, not a timeout', async () => {
    const s = spec({
      version: 3, port: agent.port, confirm: { attempts: 2, delay: '10ms' },
      user: { name: V3_USER.name, level: 'authPriv', auth_protocol: 'sha256', auth_key: 'wrong-password', priv_protocol: 'aes', priv_key: V3_USER.privKey },
    });
    const err = await collector.collect(target('bad-key', agent, s), s, signal).catch((e) => e);
    expect(err).toBeInstanceOf(CollectorError);
    expect(err.reason).toBe('auth');
    expect(err.message).toContain('bad-key');
    expect(err.samples).toEqual([expect.objectContaining({ measurement: 'device', fields: { up: 0 } })]);
  });

  it('a wrong community gets no answer: timeout after the confirmation re-polls, device up 0', async () => {
    const s = spec({ community: 'wrong', port: agent.port, timeout: '150ms', retries: 0, confirm: { attempts: 2, delay: '20ms' } });
    const started = Date.now();
    const err = await collector.collect(target('bad-community', agent, s), s, signal).catch((e) => e);
    const took = Date.now() - started;
    expect(err.reason).toBe('timeout');
    expect(err.message).toMatch(/2 confirmation re-poll/);
    expect(err.context.oid).toBe('1.3.6.1.2.1.1.3.0');
    // three attempts of 150 ms and two pauses of 20 ms
    expect(took).toBeGreaterThanOrEqual(3 * 150 + 2 * 20 - 10);
    expect(took).toBeLessThan(2000);
  });
});
