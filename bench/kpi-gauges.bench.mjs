// The KPI gauges' part of a /metrics scrape: kpid_kpi_value and
// kpid_kpi_compliant filled from READINGS KPI readings (10,000: the shipped
// link_down rule reads one per interface at 10,000 interfaces) and rendered
// by kpid's renderMetrics, as kpid does it (metrics/kpi-series.ts) and as it
// did before (reset() of both gauges, then set() per reading through
// prom-client; the render as built now either way). Prints the median of
// RUNS runs of SCRAPES scrapes each, per scrape, and the load average.
//
//   node bench/kpi-gauges.bench.mjs        # after `npm run build`
import { loadavg } from 'node:os';
import { Gauge, Registry } from 'prom-client';
import { renderMetrics } from '../dist/http/exposition.js';
import { defineKpiMetrics } from '../dist/metrics/kpi-metrics.js';
import { fmt } from './lib.mjs';

const READINGS = Number(process.env.READINGS ?? 10_000);
const RUNS = Number(process.env.RUNS ?? 5);
const SCRAPES = Number(process.env.SCRAPES ?? 20);

// Readings as the rules give them: one per interface, the value flipping now and then.
const readings = (round) => Array.from({ length: READINGS }, (_, i) => ({
  kpi: 'link_down', scope: `soak-${1 + (i % 10)} kps${Math.floor(i / 10)}`, value: (i + round) % 97 === 0 ? 1 : 0, compliant: (i + round) % 97 !== 0,
}));
const rounds = Array.from({ length: SCRAPES }, (_, r) => readings(r));

function kpid() {
  const registry = new Registry();
  const m = defineKpiMetrics(registry);
  let now = [];
  m.readFrom({ kpis: () => now, alertCounts: () => [], openOutageClocks: () => [] });
  return { scrape: async (r) => { now = r; await renderMetrics(registry); } };
}

function resetAndSet() {
  const registry = new Registry();
  const labelNames = ['kpi', 'scope'];
  const compliant = new Gauge({ name: 'kpid_kpi_compliant', help: 'c', labelNames, registers: [registry] });
  let now = [];
  const value = new Gauge({
    name: 'kpid_kpi_value', help: 'v', labelNames, registers: [registry],
    collect() {
      value.reset();
      compliant.reset();
      for (const k of now) {
        if (!Number.isFinite(k.value)) continue;
        value.set({ kpi: k.kpi, scope: k.scope }, k.value);
        compliant.set({ kpi: k.kpi, scope: k.scope }, k.compliant ? 1 : 0);
      }
    },
  });
  return { scrape: async (r) => { now = r; await renderMetrics(registry); } };
}

async function perScrapeMs(make) {
  const gauges = make();
  const t0 = performance.now();
  for (const r of rounds) await gauges.scrape(r);
  return (performance.now() - t0) / SCRAPES;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const results = { 'reset() + set() per reading (before)': [], 'kept series (kpi-series.ts)': [] };
for (let run = 0; run < RUNS; run++) {
  results['reset() + set() per reading (before)'].push(await perScrapeMs(resetAndSet));
  results['kept series (kpi-series.ts)'].push(await perScrapeMs(kpid));
}
console.log(`${READINGS} KPI readings, ${SCRAPES} scrapes a run, median of ${RUNS} runs; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const [name, ms] of Object.entries(results)) console.log(`${name}: ${fmt(median(ms))} ms a scrape (runs: ${ms.map((x) => fmt(x)).join(', ')})`);
