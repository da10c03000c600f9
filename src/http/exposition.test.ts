import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { describe, expect, it } from 'vitest';
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
