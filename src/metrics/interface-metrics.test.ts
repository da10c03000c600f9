import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import type { Sample } from '../core/sample.js';
import { defineSnmpMetrics, interfaceMappers } from './interface-metrics.js';
import { MetricsSink } from './metrics-sink.js';
import { SeriesTracker } from './series-tracker.js';

const poll = (fields: Record<string, number>): Sample => ({ measurement: 'interface', tags: { target: 'edge-1', interface: 'Gi0/1' }, time: 0, fields });

describe('an interface\'s series on /metrics, poll after poll', () => {
  it('show each poll\'s values; a rate withheld leaves and comes back with its next value; byte counters add up', async () => {
    const registry = new Registry();
    const series = new SeriesTracker(new FakeClock());
    const sink = new MetricsSink(new Map(interfaceMappers(defineSnmpMetrics(registry))), series);
    const lines = async () => (await registry.metrics()).split('\n').filter((l) => l.startsWith('kpid_interface_') && !l.startsWith('kpid_interface_speed'));
    sink.write([poll({ oper_up: 1, in_bytes: 100, in_utilization: 0.5, out_errors_ratio: 0.25 })]);
    sink.write([poll({ oper_up: 0, in_bytes: 50, out_errors_ratio: 0.125 })]);
    expect(await lines()).toEqual([
      'kpid_interface_oper_up{target="edge-1",interface="Gi0/1"} 0',
      'kpid_interface_receive_bytes_total{target="edge-1",interface="Gi0/1"} 150',
      'kpid_interface_errors_ratio{target="edge-1",interface="Gi0/1",direction="out"} 0.125',
    ]);
    sink.write([poll({ oper_up: 1, in_utilization: 0.75, out_errors_ratio: NaN })]);
    expect(await lines()).toEqual([
      'kpid_interface_oper_up{target="edge-1",interface="Gi0/1"} 1',
      'kpid_interface_receive_bytes_total{target="edge-1",interface="Gi0/1"} 150',
      'kpid_interface_utilization_ratio{target="edge-1",interface="Gi0/1",direction="in"} 0.75',
    ]);
    series.stop();
  });
});
