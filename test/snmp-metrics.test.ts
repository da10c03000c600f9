import { execFileSync } from 'node:child_process';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnmpCollector } from '../src/collectors/snmp/snmp-collector.js';
import { snmpTarget } from '../src/collectors/snmp/snmp-config.js';
import { FakeClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/logger.js';
import type { Target } from '../src/core/target.js';
import { defineSnmpMetrics, interfaceMappers } from '../src/metrics/interface-metrics.js';
import { MetricsSink } from '../src/metrics/metrics-sink.js';
import { SeriesTracker } from '../src/metrics/series-tracker.js';
import { startCraftedAgent, type CraftedAgent } from './helpers/snmp-agent.js';

/** What `promtool check metrics` says about an exposition: its lines, stdout and stderr together. */
function promtoolProblems(text: string): string[] {
  try {
    const out = execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    return out.split('\n').filter(Boolean);
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}`.split('\n').filter(Boolean).sort();
  }
}

/** The value of one series in an exposition, or undefined when it is absent. */
function valueOf(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('kpid_interface_* metrics from SNMP polls', () => {
  let agent: CraftedAgent;
  beforeAll(async () => {
    agent = await startCraftedAgent();
  });
  afterAll(async () => {
    await agent?.close();
  });

  function setup(name: string, version: '1' | '2c') {
    const clock = new FakeClock();
    const collector = new SnmpCollector({ log: silentLogger(), clock });
    const registry = new Registry();
    const series = new SeriesTracker();
    const sink = new MetricsSink(new Map(interfaceMappers(defineSnmpMetrics(registry))), series);
    const spec = snmpTarget.parse({ version, community: 'public', port: agent.port, timeout: '300ms', modules: ['system', 'interfaces'] });
    const target: Target = { name, site: 'sh', address: '127.0.0.1', labels: {}, interval: 30_000, timeout: 5_000, probes: [] };
    const signal = new AbortController().signal;
    const poll = async () => sink.write(await collector.collect(target, spec, signal));
    return { clock, collector, registry, series, poll };
  }

  it('two polls put byte counters, speed, utilisation, status and discontinuities on /metrics; promtool finds nothing to say; a removed target leaves', async () => {
    const { clock, collector, registry, series, poll } = setup('pe-1', '2c');
    agent.uptimeTicks = 10_000;
    agent.set({ index: 7, name: 'et-0/0/7', highSpeed: 100_000, hcIn: 0n, hcOut: 0n, in32: 0, out32: 0 });
    await poll();
    let text = await registry.metrics();
    expect(text).toContain('kpid_interface_oper_up{target="pe-1",interface="et-0/0/7"} 1');
    // 100 Gbit/s is 12.5 GB/s, as node_exporter's node_network_speed_bytes
    expect(text).toContain('kpid_interface_speed_bytes{target="pe-1",interface="et-0/0/7"} 12500000000');
    // The first poll has nothing to difference: no bytes counted yet.
    expect(text).not.toMatch(/kpid_interface_receive_bytes_total\{/);

    clock.advance(60_000);
    agent.uptimeTicks = 16_000;
    // 25 Gbit/s in, 5 Gbit/s out over 60 s on a 100G port
    agent.set({ index: 7, name: 'et-0/0/7', highSpeed: 100_000, hcIn: 187_500_000_000n, hcOut: 37_500_000_000n, in32: 0, out32: 0 });
    await poll();
    text = await registry.metrics();
    expect(text).toContain('# TYPE kpid_interface_receive_bytes_total counter');
    expect(text).toContain('kpid_interface_receive_bytes_total{target="pe-1",interface="et-0/0/7"} 187500000000');
    expect(text).toContain('kpid_interface_transmit_bytes_total{target="pe-1",interface="et-0/0/7"} 37500000000');
    expect(text).toContain('kpid_interface_utilization_ratio{target="pe-1",interface="et-0/0/7",direction="in"} 0.25');
    expect(text).toContain('kpid_interface_utilization_ratio{target="pe-1",interface="et-0/0/7",direction="out"} 0.05');
    expect(text).toContain('kpid_snmp_discontinuities_total{target="pe-1"} 0');
    expect(text).toContain('kpid_device_uptime_seconds{target="pe-1",site="sh"} 160');
    expect(text).not.toMatch(/bits_per_second|counter_resets/);
    expect(promtoolProblems(text)).toEqual([]);

    series.forgetTarget('pe-1');
    expect(await registry.metrics()).not.toContain('interface="et-0/0/7"');
    await collector.close();
  });

  it('the byte counters only grow: a reboot adds nothing and counts a discontinuity, the next poll adds what the rebooted device counted', async () => {
    const { clock, collector, registry, poll } = setup('pe-2', '2c');
    const rx = 'kpid_interface_receive_bytes_total{target="pe-2",interface="et-0/0/7"}';
    const tx = 'kpid_interface_transmit_bytes_total{target="pe-2",interface="et-0/0/7"}';
    const resets = 'kpid_snmp_discontinuities_total{target="pe-2"}';
    const step = async (ticks: number, hcIn: bigint, hcOut: bigint) => {
      clock.advance(30_000);
      agent.uptimeTicks = ticks;
      agent.set({ index: 7, name: 'et-0/0/7', highSpeed: 100_000, hcIn, hcOut, in32: 0, out32: 0 });
      await poll();
      const text = await registry.metrics();
      return { rx: valueOf(text, rx), tx: valueOf(text, tx), resets: valueOf(text, resets) };
    };
    expect(await step(100_000, 5_000_000n, 1_000_000n)).toEqual({ rx: undefined, tx: undefined, resets: 0 });
    expect(await step(103_000, 8_000_000n, 1_500_000n)).toEqual({ rx: 3_000_000, tx: 500_000, resets: 0 });
    // Rebooted: uptime 20 s, and every counter is *larger* than before, so
    // only sysUpTime tells. Differencing them would add 9 MB that never flowed.
    expect(await step(2_000, 17_000_000n, 9_000_000n)).toEqual({ rx: 3_000_000, tx: 500_000, resets: 1 });
    expect(await step(5_000, 17_400_000n, 9_100_000n)).toEqual({ rx: 3_400_000, tx: 600_000, resets: 1 });
    await collector.close();
  });

  it('a 32-bit octet counter that wraps adds its true growth (SNMPv1 reads ifInOctets)', async () => {
    const { clock, collector, registry, poll } = setup('pe-3', '1');
    const rx = 'kpid_interface_receive_bytes_total{target="pe-3",interface="et-0/0/8"}';
    agent.uptimeTicks = 200_000;
    agent.set({ index: 8, name: 'et-0/0/8', highSpeed: 1_000, hcIn: 0n, hcOut: 0n, in32: 2 ** 32 - 1_000, out32: 0 });
    await poll();
    clock.advance(30_000);
    agent.uptimeTicks = 203_000;
    agent.set({ index: 8, name: 'et-0/0/8', highSpeed: 1_000, hcIn: 0n, hcOut: 0n, in32: 4_000, out32: 0 });
    await poll();
    expect(valueOf(await registry.metrics(), rx)).toBe(5_000);
    await collector.close();
  });
});
