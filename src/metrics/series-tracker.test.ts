import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import type { Sample } from '../core/sample.js';
import { defineSnmpMetrics, interfaceMappers } from './interface-metrics.js';
import { MetricsSink } from './metrics-sink.js';
import { SeriesTracker } from './series-tracker.js';

/** A target polled every 30 s: its series live 3 polls. */
const LIFETIME = 90_000;

function metrics() {
  const clock = new FakeClock();
  const registry = new Registry();
  const series = new SeriesTracker(clock);
  const sink = new MetricsSink(new Map(interfaceMappers(defineSnmpMetrics(registry))), series);
  const iface = (name: string): Sample => ({
    measurement: 'interface', tags: { target: 'edge-1', interface: name },
    fields: { oper_up: 1, in_bytes: 1000, in_utilization: 0.5 }, time: clock.now(),
  });
  const poll = (...names: string[]) => sink.write(names.map(iface), LIFETIME);
  const lines = async (name: string) => (await registry.metrics()).split('\n').filter((l) => l.includes(`interface="${name}"`));
  return { clock, series, poll, lines };
}

describe('/metrics forgets label sets not written for their lifetime', () => {
  it('an interface that left the table leaves every kpid_interface_* metric once its lifetime has passed; the others stay', async () => {
    const { clock, series, poll, lines } = metrics();
    poll('Gi0/1', 'Gi0/2');
    expect(await lines('Gi0/2')).toHaveLength(3);
    for (let i = 0; i < 4; i++) {
      clock.advance(30_000);
      poll('Gi0/1');
    }
    expect(await lines('Gi0/2')).toEqual([]);
    expect(await lines('Gi0/1')).toHaveLength(3);
    expect(series.size).toBe(3);
  });

  it('a label set written again just inside its lifetime stays, whatever the sweeps', async () => {
    const { clock, poll, lines } = metrics();
    poll('Gi0/1');
    clock.advance(1);
    poll('Gi0/1');
    clock.advance(LIFETIME - 1);
    expect(await lines('Gi0/1')).toHaveLength(3);
    clock.advance(LIFETIME / 3);
    expect(await lines('Gi0/1')).toEqual([]);
  });

  it('a field an interface no longer reports leaves on its own lifetime while its other series stay', async () => {
    const clock = new FakeClock();
    const registry = new Registry();
    const series = new SeriesTracker(clock);
    const sink = new MetricsSink(new Map(interfaceMappers(defineSnmpMetrics(registry))), series);
    const poll = (fields: Sample['fields']) => sink.write([{ measurement: 'interface', tags: { target: 'edge-1', interface: 'Gi0/1' }, fields, time: clock.now() }], LIFETIME);
    poll({ oper_up: 1, admin_up: 1 });
    for (let i = 0; i < 4; i++) {
      clock.advance(30_000);
      poll({ oper_up: 0 });
    }
    const text = await registry.metrics();
    expect(text).toContain('kpid_interface_oper_up{target="edge-1",interface="Gi0/1"} 0');
    expect(text).not.toContain('kpid_interface_admin_up{');
    expect(series.size).toBe(1);
    series.forgetTarget('edge-1');
    expect(await registry.metrics()).not.toContain('kpid_interface_oper_up{');
    expect(series.targets()).toEqual([]);
    series.stop();
  });

  it('series written without a lifetime (for ever) stay', async () => {
    const clock = new FakeClock();
    const registry = new Registry();
    const sink = new MetricsSink(new Map(interfaceMappers(defineSnmpMetrics(registry))), new SeriesTracker(clock));
    sink.write([{ measurement: 'interface', tags: { target: 'edge-1', interface: 'Gi0/1' }, fields: { oper_up: 1 }, time: clock.now() }]);
    clock.advance(100 * LIFETIME);
    expect(await registry.metrics()).toContain('kpid_interface_oper_up{target="edge-1",interface="Gi0/1"} 1');
  });
});
