// The /metrics render of 10,000 interfaces (110,000 series through the
// daemon's metrics sink): CPU per render, and the garbage it leaves, as
// young-generation collections (scavenges) and their time per render.
// KPID_DIST=…/dist renders with a frozen build, for before/after runs.
//
//   node bench/render-garbage.bench.mjs        # after `npm run build`
import { PerformanceObserver } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { Registry } from 'prom-client';
import { fmt, interfaceSample as sample, median } from './lib.mjs';

const DIST = resolve(process.env.KPID_DIST ?? new URL('../dist', import.meta.url).pathname);
const { defineDaemonMetrics, metricsSink } = await import(`${DIST}/daemon/metrics.js`);
const { SeriesTracker } = await import(`${DIST}/metrics/series-tracker.js`);
const { renderMetrics } = await import(`${DIST}/http/exposition.js`);
const IFACES = Number(process.env.IFACES ?? 10_000);
const RENDERS = Number(process.env.RENDERS ?? 15);

const series = new SeriesTracker();
const registry = new Registry();
const sink = metricsSink(defineDaemonMetrics(registry), series);
sink.write(Array.from({ length: IFACES }, (_, i) => sample(i, 1)), 30_000);
// Byte counters of up to 12 digits and rates with 16, as a daemon's are after a while.
sink.write(Array.from({ length: IFACES }, (_, i) => ({ ...sample(i, 2), fields: { ...sample(i, 2).fields, in_bytes: 123_456_789_012 + i, out_utilization: 1 / (3 + i) } })), 30_000);
for (let r = 0; r < 3; r++) await renderMetrics(registry);

const gcs = [];
const obs = new PerformanceObserver((list) => gcs.push(...list.getEntries()));
obs.observe({ entryTypes: ['gc'] });
const cpu = [];
let bytes = 0;
for (let r = 0; r < RENDERS; r++) {
  const t = process.cpuUsage();
  bytes = (await renderMetrics(registry)).length;
  const u = process.cpuUsage(t);
  cpu.push((u.user + u.system) / 1000);
}
await new Promise((r) => setTimeout(r, 100));
obs.disconnect();
series.stop();
const minor = gcs.filter((e) => e.detail?.kind === 1);
const sum = (xs) => xs.reduce((a, e) => a + e.duration, 0);
console.log(`${DIST}: ${series.size.toLocaleString('en')} series, ${fmt(bytes / 2 ** 20)} MiB per render, ${RENDERS} renders`);
console.log(`CPU per render: median ${fmt(median(cpu))} ms; scavenges per render ${fmt(minor.length / RENDERS)} (${fmt(sum(minor) / RENDERS)} ms); all GCs ${fmt(gcs.length / RENDERS)} (${fmt(sum(gcs) / RENDERS)} ms)`);
