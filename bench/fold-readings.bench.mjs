// The KPI rollup's fold and the KPI readings at 10,000 polled interfaces
// (issue 15): per poll, CPU and bytes allocated (the young garbage
// included) of KpiRollup.write of the poll's 10,000 interface samples (written
// to SQLite once a minute, at every 6th poll of 10 s, as the daemon does), and
// of one /metrics render of the KPI gauges, filled from the shipped rules'
// readings at those interfaces and the outage ledger's per-service readings.
// KPID_DIST=…/dist runs a frozen build (A/B); both the generator API of
// before and the callback API of after are driven.
//
//   node bench/fold-readings.bench.mjs        # after `npm run build`; RUNS=… (default 3), POLLS=… (default 12: two writes)
import { Session } from 'node:inspector';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Registry } from 'prom-client';
import { fmt, median } from './lib.mjs';
import { interfacePoll, interfaceTags } from './snmp-interface-feed.mjs';

const root = new URL('../', import.meta.url);
const dist = process.env.KPID_DIST ? pathToFileURL(resolve(process.env.KPID_DIST) + '/') : new URL('dist/', root);
const load = (m) => import(new URL(m, dist));
const { KpiRollup } = await load('store/kpi-rollup.js');
const { FakeClock } = await load('core/clock.js');
const { loadRuleFiles } = await load('rules/rule-files.js');
const { RuleRunner } = await load('rules/rule-runner.js');
const { OutageLedger } = await load('alerts/outage-ledger.js');
const { KpiCatalogue } = await load('core/kpi-catalogue.js');
const { defineKpiMetrics } = await load('metrics/kpi-metrics.js');
const { renderMetrics } = await load('http/exposition.js');
const readingsModule = await load('alerts/kpi-readings.js');

const INTERFACES = 10_000;
const STEP = 10_000;
const POLLS = Number(process.env.POLLS ?? 12);
const RUNS = Number(process.env.RUNS ?? 3);
const T0 = Date.UTC(2026, 0, 1, 12); // midday: the day changes in the unit tests, not here
const tags = interfaceTags(INTERFACES);
const fieldsOf = Array.from({ length: 6 }, (_, r) => interfacePoll(tags, r, 0).map((s) => s.fields));
/** Poll r: a new sample object per interface, as the collector sends; fields shared, as they are not what is measured. */
const poll = (r) => tags.map((t, i) => ({ measurement: 'interface', tags: t, fields: fieldsOf[r % 6][i], time: T0 + r * STEP }));

// Readings: the shipped rules fed three polls; a ledger of 40 services with 200 closed outages and 3 open.
const rules = loadRuleFiles(['alert-rules/*.yaml'], { baseDir: fileURLToPath(root) }).rules;
const ruleClock = new FakeClock(T0);
const runner = new RuleRunner({ clock: ruleClock, rules, onTransitions: () => {} });
for (let r = 0; r < 3; r++) {
  runner.write(interfacePoll(tags, r, T0 + r * STEP), 600_000);
  ruleClock.advance(STEP);
}
const ledger = new OutageLedger();
const outage = (i, open) => ({
  id: `o${i}`, service: `svc${i % 40}`, labels: {}, alerts: [], startedAt: T0 - (i + 1) * 3_600_000, detectedAt: T0 - (i + 1) * 3_600_000,
  ...(open ? {} : { restoredAt: T0 - (i + 1) * 3_600_000 + 600_000 }), planned: false, recoveryTarget: 1_800_000, warnAt: [], warningsSent: [], breached: false,
});
ledger.load([...Array.from({ length: 200 }, (_, i) => outage(i, false)), ...[0, 1, 2].map((i) => outage(1000 + i, true))]);
const catalogue = new KpiCatalogue();
const registry = new Registry();
const metrics = defineKpiMetrics(registry);
const now = () => ruleClock.now();
metrics.readFrom({
  kpis: readingsModule.eachKpiReading
    ? (each) => readingsModule.eachKpiReading(runner, catalogue, ledger, now(), each)
    : () => readingsModule.kpiReadings(runner.readings(), catalogue, ledger, now()),
  alertCounts: () => [],
  openOutageClocks: () => [],
});
const scrape = () => renderMetrics(registry);
const shown = (await scrape()).toString('utf8').split('\n').filter((l) => l.startsWith('kpid_kpi_value{')).length;

const session = new Session();
session.connect();
const post = (m, p) => new Promise((res, rej) => session.post(m, p, (e, r) => (e ? rej(e) : res(r))));
/** Bytes allocated while `fn` runs (sampled every 4 KiB, objects collected since included). */
async function allocated(fn) {
  await post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  await fn();
  const { profile } = await post('HeapProfiler.stopSampling');
  return profile.samples.reduce((n, x) => n + x.size, 0);
}
const cpuMs = async (fn) => {
  const t = process.cpuUsage();
  await fn();
  const u = process.cpuUsage(t);
  return (u.user + u.system) / 1000;
};

/**
 * A fresh rollup that has seen a minute of polls (its cells and first-seen
 * records made and written, as in a daemon that has run for a minute), then
 * POLLS polls, each write and the timer's flush (every 6th poll) measured;
 * the samples are built first, outside it.
 */
async function rollupRun(measure) {
  const dir = mkdtempSync(join(tmpdir(), 'kpid-fold-bench-'));
  const clock = new FakeClock(T0);
  const rollup = new KpiRollup(join(dir, 'state.db'), { flushEveryMs: 60_000, clock });
  for (let r = 0; r < 6; r++) {
    rollup.write(poll(r));
    clock.advance(STEP);
  }
  const polls = Array.from({ length: POLLS }, (_, r) => poll(6 + r));
  const total = await measure(() => {
    for (const samples of polls) {
      rollup.write(samples);
      clock.advance(STEP);
    }
  });
  rollup.close();
  rmSync(dir, { recursive: true, force: true });
  return total / POLLS;
}
async function scrapeRun(measure) {
  return (await measure(async () => { for (let r = 0; r < POLLS; r++) await scrape(); })) / POLLS;
}

await rollupRun(cpuMs); // warm-up
const out = { rollupCpu: [], rollupBytes: [], readingsCpu: [], readingsBytes: [] };
for (let run = 0; run < RUNS; run++) {
  out.rollupCpu.push(await rollupRun(cpuMs));
  out.readingsCpu.push(await scrapeRun(cpuMs));
  out.rollupBytes.push(await rollupRun(allocated));
  out.readingsBytes.push(await scrapeRun(allocated));
}
session.disconnect();
runner.stop();
const mib = (xs) => xs.map((x) => fmt(x / 2 ** 20)).join(', ');
const ms = (xs) => xs.map((x) => fmt(x)).join(', ');
console.log(`${fileURLToPath(dist)}: ${INTERFACES} interfaces, ${POLLS} polls a run, ${RUNS} runs; ${shown} kpid_kpi_value series; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`rollup write per poll: CPU median ${fmt(median(out.rollupCpu))} ms (${ms(out.rollupCpu)}); allocated median ${fmt(median(out.rollupBytes) / 2 ** 20)} MiB (${mib(out.rollupBytes)})`);
console.log(`KPI gauges render per scrape: CPU median ${fmt(median(out.readingsCpu))} ms (${ms(out.readingsCpu)}); allocated median ${fmt(median(out.readingsBytes) / 2 ** 20)} MiB (${mib(out.readingsBytes)})`);
