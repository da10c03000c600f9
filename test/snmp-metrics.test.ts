import { execFileSync } from 'node:child_process';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnmpCollector } from '../src/collectors/snmp/snmp-collector.js';
import { snmpTarget } from '../src/config/sections/snmp.js';
import { FakeClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/logger.js';
import type { Target } from '../src/core/target.js';
import { defineSnmpMetrics, interfaceMappers } from '../src/metrics/interface-metrics.js';
import { MetricsSink } from '../src/metrics/metrics-sink.js';
import { SeriesTracker } from '../src/metrics/series-tracker.js';
import { startCraftedAgent, type CraftedAgent } from './helpers/snmp-agent.js';

function promtoolProblems(text: string): string[] {
  try {
    execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    return [];
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}`.split('\n').filter(Boolean).sort();
  }
}

describe('kpid_interface_* metrics from SNMP polls', () => {
  let agent: CraftedAgent;
  beforeAll(async () => {
    agent = await startCraftedAgent();
  });
  afterAll(async () => {
    await agent?.close();
  });

  it('two polls put rates, utilisation, status and resets on /metrics, valid for promtool; a removed target leaves', async () => {
    const clock = new FakeClock();
    const collector = new SnmpCollector({ log: silentLogger(), clock });
    const registry = new Registry();
    const series = new SeriesTracker();
    const sink = new MetricsSink(new Map(interfaceMappers(defineSnmpMetrics(registry))), series);
    const spec = snmpTarget.parse({ community: 'public', port: agent.port, timeout: '300ms', modules: ['system', 'interfaces'] });
    const target: Target = { name: 'pe-1', site: 'sh', address: '127.0.0.1', labels: {}, interval: 30_000, timeout: 5_000, probes: [] };
    const signal = new AbortController().signal;

    agent.uptimeTicks = 10_000;
    agent.set({ index: 7, name: 'et-0/0/7', highSpeed: 100_000, hcIn: 0n, hcOut: 0n, in32: 0, out32: 0 });
    sink.write(await collector.collect(target, spec, signal));
    let text = await registry.metrics();
    expect(text).toContain('kpid_interface_oper_up{target="pe-1",interface="et-0/0/7"} 1');
    expect(text).not.toMatch(/kpid_interface_receive_bits_per_second\{/);

    clock.advance(60_000);
    agent.uptimeTicks = 16_000;
    // 25 Gbit/s in, 5 Gbit/s out over 60 s on a 100G port
    agent.set({ index: 7, name: 'et-0/0/7', highSpeed: 100_000, hcIn: 187_500_000_000n, hcOut: 37_500_000_000n, in32: 0, out32: 0 });
    sink.write(await collector.collect(target, spec, signal));
    text = await registry.metrics();
    expect(text).toContain('kpid_interface_receive_bits_per_second{target="pe-1",interface="et-0/0/7"} 25000000000');
    expect(text).toContain('kpid_interface_transmit_bits_per_second{target="pe-1",interface="et-0/0/7"} 5000000000');
    expect(text).toContain('kpid_interface_utilization_ratio{target="pe-1",interface="et-0/0/7",direction="in"} 0.25');
    expect(text).toContain('kpid_interface_utilization_ratio{target="pe-1",interface="et-0/0/7",direction="out"} 0.05');
    expect(text).toContain('kpid_snmp_counter_resets_total{target="pe-1"} 0');
    expect(text).toContain('kpid_device_uptime_seconds{target="pe-1",site="sh"} 160');
    // The names are SPEC.md's contract; promtool's naming lint objects to
    // "bits" and to "counter" inside a counter's name, and to nothing else.
    expect(promtoolProblems(text)).toEqual([
      'kpid_interface_receive_bits_per_second use base unit "bytes" instead of "bits"',
      'kpid_interface_speed_bits_per_second use base unit "bytes" instead of "bits"',
      'kpid_interface_transmit_bits_per_second use base unit "bytes" instead of "bits"',
      "kpid_snmp_counter_resets_total metric name should not include type 'counter'",
    ]);

    series.forgetTarget('pe-1');
    expect(await registry.metrics()).not.toContain('interface="et-0/0/7"');
    await collector.close();
  });
});
