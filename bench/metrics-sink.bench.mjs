// The /metrics sink's upkeep and memory, without a poller beside it:
// - interface samples written through kpid's metrics sink per CPU second
//   (every sample updates 11 series of an interface already on /metrics);
// - heap held by 100,000 series (9,091 interfaces × 11), after a forced GC,
//   against the same process before the series were written;
// - renderMetrics() of those series, quiet (no poller), median of ROUNDS.
//
//   npm run build && node --expose-gc bench/metrics-sink.bench.mjs      (IFACES=9091 ROUNDS=7 WRITES=300000)
import { Registry } from 'prom-client';
import { defineDaemonMetrics, metricsSink } from '../dist/daemon/metrics.js';
import { SeriesTracker } from '../dist/metrics/series-tracker.js';
import { renderMetrics } from '../dist/http/exposition.js';
import { fmt, interfaceSample as sample, median } from './lib.mjs';

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const IFACES = Number(process.env.IFACES ?? 9_091);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const WRITES = Number(process.env.WRITES ?? 300_000);

const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

// Samples built ahead so that only the sink's work is timed and weighed.
const first = Array.from({ length: IFACES }, (_, i) => sample(i, 1));
const later = Array.from({ length: 1_000 }, (_, k) => Array.from({ length: 100 }, (_, j) => sample((k * 100 + j) % IFACES, k + 2)));
const series = new SeriesTracker();
const registry = new Registry();
const sink = metricsSink(defineDaemonMetrics(registry), series);
const before = heap();
sink.write(first, 30_000);
await renderMetrics(registry); // the first render may leave its own caches: weigh them too
const after = heap();

// Updates: batches of 100 samples, as the poller of bench/metrics.bench.mjs writes them.
const rates = [];
for (let r = 0; r < ROUNDS; r++) {
  const t = process.cpuUsage();
  for (let n = 0; n < WRITES / 100; n++) sink.write(later[n % later.length], 30_000);
  const u = process.cpuUsage(t);
  rates.push(WRITES / ((u.user + u.system) / 1e6));
}

const renders = [];
for (let r = 0; r < ROUNDS; r++) {
  const t = performance.now();
  await renderMetrics(registry);
  renders.push(performance.now() - t);
}
series.stop();

console.log(`${series.size.toLocaleString('en')} series (${IFACES} interfaces × 11), ${ROUNDS} rounds, medians (${process.version})`);
console.log(`sink updates: ${fmt(median(rates))} interface samples per CPU second (${WRITES.toLocaleString('en')} per round; 11 series each)`);
console.log(`heap held by the series after a forced GC: ${fmt((after - before) / 2 ** 20)} MiB, ${Math.round((after - before) / series.size)} bytes per series`);
console.log(`renderMetrics, quiet: ${fmt(median(renders) / 1000)} s`);
