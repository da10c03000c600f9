// The compliance report's costs: the KpiRollup sink on the pipeline's hot
// path (samples/s folded into the SQLite daily rollup), and building a
// 30-day report from the embedded rollup and the outage ledger.
// `npm run bench -- report` (builds first), or `node bench/report.bench.mjs`
// after `npm run build`. RUNS=… overrides the default of 5.
//
// Workload: batches of 1,000 samples, half `kpi` readings (10 KPIs × 50
// scopes) and half `voice` counters (500 switches), one minute apart,
// spread over 30 days. Anchor: the same samples inserted one row each into
// an indexed SQLite table in one transaction per batch (what keeping raw
// samples in SQLite would cost).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, median } from './lib.mjs';

const root = new URL('../', import.meta.url);
const { KpiRollup } = await import(new URL('dist/store/kpi-rollup.js', root));
const { EmbeddedReportSource } = await import(new URL('dist/report/embedded-report-source.js', root));
const { SqliteStateStore } = await import(new URL('dist/alerts/sqlite-state-store.js', root));
const { buildReport } = await import(new URL('dist/report/build-report.js', root));
const { renderReport } = await import(new URL('dist/report/render.js', root));
const { KpiCatalogue } = await import(new URL('dist/core/kpi-catalogue.js', root));
const { default: Database } = await import('better-sqlite3');

const RUNS = Number(process.env.RUNS ?? 5);
const BATCHES = 600;
const BATCH = 1000;
const START = Date.UTC(2026, 2, 1);
const KPIS = ['network_coverage', 'customer_satisfaction', 'complaint_timeliness', 'avg_data_rate', 'vuln_fix_rate',
  'security_incident_rate', 'customer_data_leaks', 'call_drop_rate', 'call_answer_rate', 'latency'];

function batch(b) {
  const time = START + b * ((30 * 86_400_000) / BATCHES);
  const out = [];
  for (let i = 0; i < BATCH / 2; i++) {
    out.push({ measurement: 'kpi', tags: { kpi: KPIS[i % 10], scope: `region-${Math.floor(i / 10)}` }, fields: { value: 0.99 + (i % 7) / 1000 }, time: time + i });
    out.push({ measurement: 'voice', tags: { target: `msc-${i}`, site: 's' }, fields: { call_attempts: 100, calls_answered: 97, calls_dropped: i % 3 }, time: time + i });
  }
  return out;
}
const batches = Array.from({ length: BATCHES }, (_, b) => batch(b));
const total = BATCHES * BATCH;

function rollupRun(dir) {
  const rollup = new KpiRollup(join(dir, 'rollup.db'));
  const t0 = process.hrtime.bigint();
  for (const b of batches) rollup.write(b);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  rollup.close();
  return total / s;
}

function anchorRun(dir) {
  const db = new Database(join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE raw (time INTEGER, measurement TEXT, series TEXT, value REAL); CREATE INDEX raw_t ON raw (time)');
  const ins = db.prepare('INSERT INTO raw VALUES (?, ?, ?, ?)');
  const tx = db.transaction((b) => {
    for (const s of b) ins.run(s.time, s.measurement, s.tags.kpi ?? s.tags.target, s.fields.value ?? s.fields.call_attempts);
  });
  const t0 = process.hrtime.bigint();
  for (const b of batches) tx(b);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  db.close();
  return total / s;
}

const rollup = [];
const anchor = [];
const reportMs = [];
for (let r = 0; r < RUNS; r++) {
  const dir = mkdtempSync(join(tmpdir(), 'kpid-bench-report-'));
  try {
    rollup.push(rollupRun(dir));
    anchor.push(anchorRun(dir));
    // A 30-day report over that rollup and 200 outages in the ledger.
    const store = new SqliteStateStore(join(dir, 'rollup.db'));
    for (let i = 0; i < 200; i++) {
      const startedAt = START + i * 3 * 3_600_000;
      await store.putOutage({ id: `o${i}`, service: `site/dev-${i % 40}`, labels: {}, alerts: [], startedAt, detectedAt: startedAt,
        restoredAt: startedAt + (5 + (i % 50)) * 60_000, planned: i % 10 === 0, recoveryTarget: 1_800_000, warnAt: [], warningsSent: [], breached: false });
    }
    const source = new EmbeddedReportSource(join(dir, 'rollup.db'));
    const t0 = process.hrtime.bigint();
    const report = await buildReport({ from: START, to: START + 30 * 86_400_000, catalogue: new KpiCatalogue(), store, samples: source });
    renderReport(report, 'html');
    reportMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    await source.close();
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const mr = median(rollup);
const ma = median(anchor);
console.log(`report: KpiRollup ${fmt(mr)} samples/s (median of ${RUNS}); anchor raw SQLite rows ${fmt(ma)} samples/s; ratio ${fmt(mr / ma)}`);
console.log(`report: 30-day report (50 scopes × 10 KPIs, 500 switches, 200 outages) built + rendered as HTML in ${fmt(median(reportMs))} ms (median)`);
