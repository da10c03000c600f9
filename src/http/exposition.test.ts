import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import { defineSnmpMetrics, interfaceMappers } from '../metrics/interface-metrics.js';
import { MetricsSink } from '../metrics/metrics-sink.js';
import { SeriesTracker } from '../metrics/series-tracker.js';
import { renderMetrics } from './exposition.js';

/** A registry with every kind of metric prom-client formats, awkward label values and more series than one slice. */
function populated(defaultLabels = true): Registry {
  const r = new Registry();
  const g = new Gauge({ name: 'kpid_interface_utilization_ratio', help: 'Utilisation.\nSecond line \\ of help', labelNames: ['target', 'interface', 'direction'], registers: [r] });
  for (let i = 0; i < 25; i++) g.set({ target: `r${i}`, interface: `ge-0/0/${i} "uplink"\n\\`, direction: i % 2 ? 'in' : 'out' }, i / 7);
  g.set({ target: 'nan', interface: 'x', direction: 'in' }, NaN);
  g.set({ target: 'inf', interface: 'x', direction: 'in' }, -Infinity);
  const c = new Counter({ name: 'kpid_interface_receive_bytes_total', help: 'Bytes.', labelNames: ['target'], registers: [r] });
  for (let i = 0; i < 7; i++) c.inc({ target: `r${i}` }, i * 1e12);
  new Gauge({ name: 'kpid_empty', help: 'No series yet.', labelNames: ['target'], registers: [r] });
  new Gauge({ name: 'kpid_collected', help: 'Set when scraped.', registers: [r], collect() { this.set(42); } });
  const h = new Histogram({ name: 'kpid_write_seconds', help: 'Write time.', labelNames: ['sink'], buckets: [0.1, 1], registers: [r] });
  for (let i = 0; i < 5; i++) h.observe({ sink: `s${i}` }, i / 3);
  const s = new Summary({ name: 'kpid_render_seconds', help: 'Render time.', percentiles: [0.5, 0.9], registers: [r] });
  for (let i = 0; i < 10; i++) s.observe(i);
  if (defaultLabels) r.setDefaultLabels({ instance: 'kpid-1' });
  return r;
}

describe('/metrics rendered a slice at a time', () => {
  it.each([
    [1, true], [3, true], [10, true], [2_000, true],
    [1, false], [3, false], [10, false], [2_000, false],
  ])('reads byte for byte as prom-client renders the same registry (slices of %i series, default labels: %s)', async (slice, defaultLabels) => {
    const r = populated(defaultLabels);
    expect((await renderMetrics(r, slice)).toString('utf8')).toBe(await r.metrics());
  });

  it('reads byte for byte as prom-client for series the metrics sink holds with their label text, through updates, withheld rates and returns', async () => {
    const r = new Registry();
    const series = new SeriesTracker(new FakeClock());
    const sink = new MetricsSink(new Map(interfaceMappers(defineSnmpMetrics(r))), series);
    // A sample without in_utilization withholds that rate: its series leaves, and comes back last with the next one.
    const iface = (name: string, utilization?: number) => ({
      measurement: 'interface', tags: { target: 'edge "1"\\', interface: name }, time: 0,
      fields: { oper_up: 1, in_bytes: 10, out_bytes: 20, speed_bps: 8e9, out_errors_ratio: 0.25, ...(utilization === undefined ? {} : { in_utilization: utilization }) },
    });
    sink.write([iface('Gi0/1', 0.5), iface('ge-0/0/2 "uplink"\nüber', NaN), iface('Gi0/3', 0.125)]);
    sink.write([iface('Gi0/1'), iface('Gi0/3', 1 / 3)]);
    sink.write([iface('Gi0/1', Infinity), iface('ge-0/0/2 "uplink"\nüber', 0.75)]);
    sink.write([iface('Gi0/1', 0.0625)]);
    const text = (await renderMetrics(r, 2)).toString('utf8');
    expect(text).toBe(await r.metrics());
    expect(text).toContain('kpid_interface_utilization_ratio{target="edge \\"1\\"\\\\",interface="Gi0/3",direction="in"} 0.3333333333333333');
    expect(text).toContain('kpid_interface_receive_bytes_total{target="edge \\"1\\"\\\\",interface="Gi0/1"} 40');
    series.stop();
  });

  it('lets the event loop run between slices, where prom-client holds it for the whole render', async () => {
    const r = populated(false);
    let turns = 0;
    const count = () => {
      turns++;
      if (!done) setImmediate(count);
    };
    let done = false;
    setImmediate(count);
    await renderMetrics(r, 3);
    done = true;
    expect(turns).toBeGreaterThan(5);
  });
});
