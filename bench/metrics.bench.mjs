// /metrics with 100,000 series, scraped while polling: kpid's renderer
// (src/http/exposition.ts, what GET /metrics calls) against prom-client's
// plain registry holding the same series, rendered with registry.metrics().
// For each scrape: wall time of the render, and the event-loop delay seen
// meanwhile (perf_hooks.monitorEventLoopDelay, 10 ms resolution) while a
// timer keeps writing interface samples through kpid's metrics sink, as
// polls do.
//
//   npm run build && node bench/metrics.bench.mjs      (IFACES=9091 ROUNDS=7)
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, Registry } from 'prom-client';
import { defineDaemonMetrics, metricsSink } from '../dist/daemon/metrics.js';
import { SeriesTracker } from '../dist/metrics/series-tracker.js';
import { renderMetrics } from '../dist/http/exposition.js';
import { fmt, interfaceSample as sample, median } from './lib.mjs';

const IFACES = Number(process.env.IFACES ?? 9_091); // 11 series each: 100,001
const ROUNDS = Number(process.env.ROUNDS ?? 7);

const registry = new Registry();
const sink = metricsSink(defineDaemonMetrics(registry), new SeriesTracker());
sink.write(Array.from({ length: IFACES }, (_, i) => sample(i, 1)));

// The anchor: a plain prom-client registry with the same gauges and counters and the same series.
const anchor = new Registry();
let series = 0;
for (const m of await registry.getMetricsAsJSON()) {
  if (m.type !== 'gauge' && m.type !== 'counter') continue;
  const labelNames = [...new Set(m.values.flatMap((v) => Object.keys(v.labels)))];
  const metric = new (m.type === 'gauge' ? Gauge : Counter)({ name: m.name, help: m.help, labelNames, registers: [anchor] });
  for (const v of m.values) m.type === 'gauge' ? metric.set(v.labels, v.value) : metric.inc(v.labels, v.value);
  series += m.values.length;
}

// Polling: 100 interface samples every 10 ms (a 10 s poll of 100,000 interfaces' worth of work per second).
let tick = 2;
let next = 0;
const poller = setInterval(() => {
  const batch = [];
  for (let k = 0; k < 100; k++, next = (next + 1) % IFACES) batch.push(sample(next, tick));
  tick++;
  sink.write(batch);
}, 10);

async function scrape(render) {
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  // The monitor's first tick only starts its clock: let it run before the scrape.
  await new Promise((r) => setTimeout(r, 25));
  const t = performance.now();
  const text = await render();
  const ms = performance.now() - t;
  // A timer held up by the render records its delay when it finally runs: let it.
  await new Promise((r) => setTimeout(r, 15));
  lag.disable();
  return { ms, p99: lag.percentile(99) / 1e6, max: lag.max / 1e6, bytes: text.length };
}

const kpid = [];
const plain = [];
const idle = []; // the floor: polling alone for a second, no scrape (a loaded machine's own delays)
await scrape(() => anchor.metrics()); // warm-up of each, not counted
await scrape(() => renderMetrics(registry));
for (let r = 0; r < ROUNDS; r++) {
  plain.push(await scrape(() => anchor.metrics()));
  kpid.push(await scrape(() => renderMetrics(registry)));
  idle.push(await scrape(() => new Promise((r) => setTimeout(() => r(''), 1_000))));
}
clearInterval(poller);
// Polling stopped: the sliced text must be prom-client's own, byte for byte.
if ((await renderMetrics(registry)).toString('utf8') !== (await registry.metrics())) throw new Error('kpid /metrics text differs from registry.metrics()');

const row = (name, xs) =>
  `| ${name} | ${fmt(median(xs.map((x) => x.ms / 1000)))} | ${fmt(median(xs.map((x) => x.p99)))} | ${fmt(median(xs.map((x) => x.max)))} | ${(median(xs.map((x) => x.bytes)) / 1e6).toFixed(1)} |`;
console.log(`${series.toLocaleString('en')} series (${IFACES} interfaces × 11), ${ROUNDS} scrapes each, medians, while polling (${process.version})`);
console.log('| renderer | render s | event-loop delay p99 ms | max ms | MB |');
console.log('|---|---|---|---|---|');
console.log(row('prom-client registry.metrics() (anchor)', plain));
console.log(row('kpid renderMetrics (sliced)', kpid));
console.log(row('no scrape, polling alone for 1 s (floor)', idle));
console.log(`ratio render time kpid / anchor: ${fmt(median(kpid.map((x) => x.ms)) / median(plain.map((x) => x.ms)))}`);
