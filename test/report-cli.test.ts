import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../src/alerts/state/sqlite-state-store.js';
import { systemClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/logger.js';
import { defineStoreMetrics } from '../src/metrics/store-metrics.js';
import type { ComplianceReport, KpiResult } from '../src/report/report-model.js';
import { runReportCommand } from '../src/report/report-command.js';
import { InfluxStore } from '../src/store/influx-store.js';
import { KpiRollup } from '../src/store/kpi-rollup.js';
import { startInfluxd, type Influxd } from './helpers/influxd.js';
import { CLI, requireBuild } from './helpers/kpid-process.js';
import { FIXTURE_OUTAGES, FIXTURE_SAMPLES, FROM, TO } from './helpers/report-fixture.js';
import { checkWellFormed, parseCsv } from './helpers/report-checks.js';

const run = promisify(execFile);

let dir: string;
let influxd: Influxd;
let embeddedConfig: string;
let influxConfig: string;

/** `node dist/cli.js report ...` as a real process. */
async function kpid(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, 'report', ...args], { cwd: dir, maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), 'kpid-report-'));
  const db = join(dir, 'kpid.db');
  const state = new SqliteStateStore(db);
  for (const o of FIXTURE_OUTAGES) await state.putOutage(o);
  await state.close();
  // The embedded path: the samples through the pipeline's rollup sink, in two batches.
  const rollup = new KpiRollup(db);
  rollup.write(FIXTURE_SAMPLES.slice(0, 9));
  rollup.write(FIXTURE_SAMPLES.slice(9));
  rollup.close();

  // The InfluxDB path: the same samples through kpid's InfluxDB writer into a real influxd.
  influxd = await startInfluxd();
  const store = new InfluxStore(
    { url: influxd.url, database: 'kpid_report', spoolDir: join(dir, 'spool'), flushIntervalMs: 50 },
    { clock: systemClock, log: silentLogger(), metrics: defineStoreMetrics(new Registry()) },
  );
  await store.start();
  store.write(FIXTURE_SAMPLES);
  await store.close();
  const [stored] = await influxd.rows('SELECT count(call_attempts) FROM voice', 'kpid_report');
  expect(stored?.count).toBe(6);

  embeddedConfig = join(dir, 'embedded.yaml');
  writeFileSync(embeddedConfig, `state: { sqlite: "${db}" }\n`);
  influxConfig = join(dir, 'influx.yaml');
  writeFileSync(influxConfig, [
    `state: { sqlite: "${db}" }`,
    `storage: { influx: { url: "${influxd.url}", database: kpid_report, spool: { dir: "${join(dir, 'spool2')}" } } }`,
    '',
  ].join('\n'));
});

afterAll(async () => {
  await influxd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const PERIOD_S = 7 * 86_400;
const PLANNED_S = 2 * 3600;
const kpiOf = (r: ComplianceReport, id: string): KpiResult => r.kpis.find((k) => k.id === id)!;

/** The figures of the fixture week, worked out by hand. */
function expectHandFigures(r: ComplianceReport): void {
  // Made weeks after the period ended: counted to its end, not cut.
  expect(r.period).toEqual({
    from: '2026-03-01T00:00:00.000Z', to: '2026-03-08T00:00:00.000Z', seconds: PERIOD_S,
    countedTo: '2026-03-08T00:00:00.000Z', countedSeconds: PERIOD_S, cutAtNow: false,
    previous: { from: '2026-02-22T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' },
  });

  // Voice: 500+700 and 400+400 attempts; 2+2 and 1+2 drops: 7 of 2,000 = 0.35 % < 0.5 %.
  const drop = kpiOf(r, 'call_drop_rate');
  expect(drop.counts).toEqual({ attempts: 2000, answered: 1940, dropped: 7 });
  expect(drop.value).toBeCloseTo(0.0035, 12);
  expect(drop.status).toBe('pass');
  expect(drop.scopes.map((s) => [s.scope, s.source, s.counts?.attempts, s.counts?.dropped, s.status])).toEqual([
    ['msc-1', 'counters', 1200, 4, 'pass'],
    ['msc-2', 'counters', 800, 3, 'pass'],
    ['guangdong', 'pushed', undefined, undefined, 'pass'],
  ]);
  expect(drop.scopes[0]!.value).toBeCloseTo(4 / 1200, 12);
  expect(drop.scopes[1]!.value).toBeCloseTo(3 / 800, 12);
  expect(drop.daily.map((d) => d.value)).toEqual([2 / 500, 3 / 800, 2 / 700, null, null, null, null]);
  // 1,940 of 2,000 answered = 97 % ≥ 95 %.
  expect(kpiOf(r, 'call_answer_rate').value).toBeCloseTo(0.97, 12);
  expect(kpiOf(r, 'call_answer_rate').status).toBe('pass');

  // Availability, planned time out of both sides: core-1 lost 12 + 41 = 53 min of 10,080 − 120 min.
  const core = r.availability.find((s) => s.service === 'bj-dc1/core-1')!;
  expect(core).toMatchObject({ unplannedDowntimeSeconds: 53 * 60, plannedDowntimeSeconds: PLANNED_S, unplannedOutages: 2, plannedOutages: 1, status: 'fail' });
  expect(core.availability).toBeCloseTo(1 - (53 * 60) / (PERIOD_S - PLANNED_S), 12);
  const edge = r.availability.find((s) => s.service === 'sh-dc2/edge-1')!;
  expect(edge).toMatchObject({ unplannedDowntimeSeconds: 300, plannedDowntimeSeconds: 0, status: 'pass' });
  expect(edge.availability).toBeCloseTo(1 - 300 / PERIOD_S, 12);
  expect(r.failedServices).toEqual(['bj-dc1/core-1']);
  const avail = kpiOf(r, 'availability');
  expect(avail.value).toBeCloseTo(1 - 3180 / (PERIOD_S - PLANNED_S), 12);
  expect(avail.status).toBe('fail');
  expect(avail.failures.map((f) => [f.scope, f.seconds])).toEqual([['bj-dc1/core-1', 3180]]);
  // The maintenance day counts as fully available; the day of the 41-minute outage does not.
  expect(avail.daily.find((d) => d.day === '2026-03-05')!.value).toBe(1);
  expect(avail.daily.find((d) => d.day === '2026-03-04')!.value).toBeCloseTo(1 - 2460 / 86_400, 12);

  // Outages against the 30-minute recovery target: 12 met, 41 missed (once), 5 met; the 2 h planned one not judged.
  expect(r.outages.map((o) => [o.id, o.durationSeconds, o.met, o.planned])).toEqual([
    ['o-1', 720, true, false],
    ['o-2', 2460, false, false],
    ['m-1', 7200, null, true],
    ['o-3', 300, true, false],
  ]);
  expect(r.outages.filter((o) => o.met === false)).toHaveLength(1);
  expect(r.maintenance).toEqual([{ id: 'm-1', service: 'bj-dc1/core-1', startedAt: '2026-03-05T01:00:00.000Z', restoredAt: '2026-03-05T03:00:00.000Z', excludedSeconds: PLANNED_S }]);
  for (const id of ['interruption_minutes', 'recovery_minutes']) {
    const k = kpiOf(r, id);
    expect([k.value, k.status, k.target.value]).toEqual([2460, 'fail', 1800]);
    expect(k.failures.map((f) => [f.scope, f.seconds])).toEqual([['bj-dc1/core-1', 2460]]);
    expect(k.scopes.map((s) => [s.scope, s.value])).toEqual([['bj-dc1/core-1', 2460], ['sh-dc2/edge-1', 300]]);
  }

  // Pushed: coverage is the worst region's mean; shanghai (0.985, 0.989) misses 99 % on both days.
  const cov = kpiOf(r, 'network_coverage');
  expect(cov.value).toBeCloseTo(0.987, 12);
  expect(cov.status).toBe('fail');
  const beijing = cov.scopes.find((s) => s.scope === 'beijing')!;
  expect(beijing).toMatchObject({ source: 'pushed', status: 'pass', days: 2, failingDays: 0 });
  expect(beijing.readings!.count).toBe(2);
  expect(beijing.readings!.min).toBeCloseTo(0.992, 12);
  expect(beijing.readings!.max).toBeCloseTo(0.994, 12);
  expect(beijing.readings!.mean).toBeCloseTo(0.993, 12);
  expect(beijing.readings!.last).toBeCloseTo(0.994, 12);
  expect(cov.failures.map((f) => [f.scope, f.days])).toEqual([['shanghai', 2]]);
  const rate = kpiOf(r, 'avg_data_rate');
  expect([rate.value, rate.status, rate.scopes[0]!.readings!.last]).toEqual([1.05e8, 'pass', 0.9e8]);
  const leaks = kpiOf(r, 'customer_data_leaks');
  expect([leaks.value, leaks.status, leaks.scopes[0]!.days, leaks.scopes[0]!.failingDays]).toEqual([1, 'fail', 3, 1]);
  expect(kpiOf(r, 'customer_satisfaction')).toMatchObject({ status: 'pass' });
  expect(kpiOf(r, 'vuln_fix_rate')).toMatchObject({ value: 1, status: 'pass' });
  expect(kpiOf(r, 'latency').value).toBeCloseTo(0.045, 12);
  const missing = kpiOf(r, 'complaint_timeliness');
  expect([missing.value, missing.status, missing.reason]).toEqual([null, 'no_data', 'no kpi=complaint_timeliness readings in the period']);

  // Every catalogue KPI is there once; which failed.
  expect(r.kpis).toHaveLength(19);
  expect(r.summary).toMatchObject({ kpis: 19, pass: 6, fail: 5, noData: 8 });
  expect(r.summary.failed.map((f) => f.kpi).sort()).toEqual(
    ['availability', 'customer_data_leaks', 'interruption_minutes', 'network_coverage', 'recovery_minutes']);
}

/** The report with its numbers rounded to 12 significant digits (sums differ in the last bit between SQLite and InfluxDB). */
function rounded(r: ComplianceReport): unknown {
  return JSON.parse(JSON.stringify({ ...r, source: undefined, generatedAt: undefined }), (_k, v) => (typeof v === 'number' ? Number(v.toPrecision(12)) : v));
}

describe('kpid report --format json for a week with known outages and samples', () => {
  let embedded: ComplianceReport;

  /** In-process, so the figures are checked against the source even when dist/ is stale. */
  async function report(config: string): Promise<ComplianceReport> {
    const io = capture();
    expect(await runReportCommand(['--from', FROM, '--to', TO, '--format', 'json', '-c', config], io)).toBe(0);
    expect(io.err).toEqual([]);
    return JSON.parse(io.out.join('')) as ComplianceReport;
  }

  it('embedded mode (outage ledger + daily rollup) gives the hand-computed figures', async () => {
    embedded = await report(embeddedConfig);
    expect(embedded.source.mode).toBe('embedded');
    expectHandFigures(embedded);
  });

  it('InfluxDB mode (outage ledger + InfluxQL) gives the same figures', async () => {
    const influx = await report(influxConfig);
    expect(influx.source.mode).toBe('influx');
    expectHandFigures(influx);
    expect(rounded(influx)).toEqual(rounded(embedded));
  });

  it.each([['embedded'], ['influx']])('node dist/cli.js report --format json (%s) prints the same report', async (mode) => {
    const config = mode === 'influx' ? influxConfig : embeddedConfig;
    const out = await kpid('--from', FROM, '--to', TO, '--format', 'json', '-c', config);
    expect([out.code, out.stderr]).toEqual([0, '']);
    const printed = JSON.parse(out.stdout) as ComplianceReport;
    expectHandFigures(printed);
    expect({ ...printed, generatedAt: '' }).toEqual({ ...(await report(config)), generatedAt: '' });
  });

  it('InfluxDB mode clips to the exact period where the embedded rollup counts whole days', async () => {
    // 2026-03-02T12:00 to 2026-03-05: msc-2's 09:00 call batch falls before the start.
    const io = capture();
    expect(await runReportCommand(['--from', '2026-03-02T12:00:00Z', '--to', '2026-03-05', '--format', 'json', '-c', influxConfig], io)).toBe(0);
    const influx = JSON.parse(io.out.join('')) as ComplianceReport;
    expect(kpiOf(influx, 'call_drop_rate').counts).toEqual({ attempts: 1100, answered: 1065, dropped: 4 });
    const io2 = capture();
    expect(await runReportCommand(['--from', '2026-03-02T12:00:00Z', '--to', '2026-03-05', '--format', 'json', '-c', embeddedConfig], io2)).toBe(0);
    const daily = JSON.parse(io2.out.join('')) as ComplianceReport;
    expect(kpiOf(daily, 'call_drop_rate').counts).toEqual({ attempts: 1500, answered: 1450, dropped: 5 });
    expect(daily.source.notes.join(' ')).toContain('whole day');
  });
});

describe('kpid report renderings', () => {
  it('Markdown lists every KPI against its target, the failures and the outage evidence', async () => {
    const out = await kpid('--from', FROM, '--to', TO, '-c', embeddedConfig);
    expect(out.code).toBe(0);
    const md = out.stdout;
    expect(md).toContain('| 3.2 | call drop rate (`call_drop_rate`) | < 0.5% | 0.35% | PASS |');
    expect(md).toContain('| 3.2 | system availability (`availability`) | >= 99.9% | 99.4679% | **FAIL** |');
    expect(md).toContain('**5 of 19 KPIs failed**, 6 passed, 8 had no data.');
    expect(md).toContain('  - bj-dc1/core-1: outage o-2 from 2026-03-04T22:00:00.000Z lasted 41m against <= 30m');
    expect(md).toContain('  - shanghai (pushed): 98.7% against >= 99%; 2 of 2 days missed the target');
    expect(md).toContain('Services that failed availability: bj-dc1/core-1.');
    expect(md).toContain('| m-1 | bj-dc1/core-1 | 2026-03-05T01:00:00.000Z | 2026-03-05T03:00:00.000Z | 2h |');
    expect(md).toContain('| msc-1 | counters | 0.3333% | PASS | 1200 attempts, 1170 answered, 4 dropped; 0 of 2 days missed |');
    expect(md.match(/\*\*missed\*\*/g)).toHaveLength(1);
  });

  it('CSV has a header, a row per KPI and a row per KPI per scope', async () => {
    const out = await kpid('--from', FROM, '--to', TO, '--format', 'csv', '-c', embeddedConfig);
    expect(out.code).toBe(0);
    const rows = parseCsv(out.stdout);
    const [header, ...body] = rows;
    expect(header!.slice(0, 10)).toEqual(['kpi', 'name', 'chapter', 'scope', 'source', 'target', 'value', 'value_text', 'unit', 'status']);
    const col = (name: string) => header!.indexOf(name);
    expect(body.every((r) => r.length === header!.length)).toBe(true);
    // 19 KPI rows; scopes: 3 call drop, 2 call answer, 2 coverage, 1 each satisfaction, rate, leaks, vuln, latency, 2 + 2 + 2 outage/availability services.
    expect(body.filter((r) => r[col('scope')] === '*')).toHaveLength(19);
    expect(body).toHaveLength(19 + 3 + 2 + 2 + 5 + 6);
    const msc1 = body.find((r) => r[col('kpi')] === 'call_drop_rate' && r[col('scope')] === 'msc-1')!;
    expect([msc1[col('attempts')], msc1[col('dropped')], msc1[col('status')]]).toEqual(['1200', '4', 'pass']);
    const overall = body.find((r) => r[col('kpi')] === 'call_drop_rate' && r[col('scope')] === '*')!;
    expect([overall[col('value_text')], overall[col('attempts')]]).toEqual(['0.35%', '2000']);
  });

  it('HTML is one printable, well-formed page with an SVG chart per KPI and nothing external', async () => {
    const file = join(dir, 'out', 'report.html');
    const missingDir = await kpid('--from', FROM, '--to', TO, '--format', 'html', '-c', embeddedConfig, '--out', file);
    expect(missingDir.code).toBe(1);
    expect(missingDir.stderr).toContain('report.html');
    const ok = await kpid('--from', FROM, '--to', TO, '--format', 'html', '-c', embeddedConfig, '--out', join(dir, 'report.html'));
    expect([ok.code, ok.stdout, ok.stderr]).toEqual([0, '', '']);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(checkWellFormed(html)).toEqual([]);
    expect(html.match(/<svg /g)).toHaveLength(19);
    for (const block of html.split('<div class="kpi"').slice(1)) expect(block.match(/<svg /g)).toHaveLength(1);
    expect(html).toContain('@media print');
    expect(html).toContain('size: A4');
    expect(html).not.toMatch(/<script|<link|<img|\bsrc=|\bhref=|url\(|@import/i);
    expect(html).toContain('<polyline');
    // Each day with an unplanned outage misses 99.9 % on its own: red points on the availability chart.
    const availability = html.split('<div class="kpi" id="kpi-availability">')[1]!.split('</div>')[0]!;
    expect(availability).toContain('2026-03-04: 97.1528%');
    expect(availability.match(/fill="#dc2626"><title>/g)).toHaveLength(3); // 03-02 (12 min), 03-04 (41 min), 03-06 (5 min)
  });

  it('every rendering has a trend column: the week after against this week, with an arrow and the change', async () => {
    // 2026-03-08 to 03-15 holds only msc-2's batch at 03-08T00:00 (1000 attempts, all dropped); the week before is the fixture's 0.35 %.
    const render = async (format: string) => {
      const io = capture();
      expect(await runReportCommand(['--from', '2026-03-08', '--to', '2026-03-15', '--format', format, '-c', embeddedConfig], io)).toBe(0);
      return io.out.join('');
    };
    const json = JSON.parse(await render('json')) as ComplianceReport;
    expect(json.period.previous).toEqual({ from: '2026-03-01T00:00:00.000Z', to: '2026-03-08T00:00:00.000Z' });
    expect(kpiOf(json, 'call_drop_rate').trend).toEqual({ previous: 0.0035, change: 0.9965, direction: 'up', better: false });
    // Coverage was measured the week before (98.7 %); this week only beijing's 50 % at 03-08.
    expect(kpiOf(json, 'network_coverage').trend).toMatchObject({ previous: 0.987, direction: 'down', better: false });
    // Nothing this week: no change to speak of.
    expect(kpiOf(json, 'customer_satisfaction').trend).toEqual({ previous: 0.93, change: null, direction: null, better: null });
    const words = '↑ +99.65 pts (worse; was 0.35%)';
    expect(await render('md')).toContain(`| 3.2 | call drop rate (\`call_drop_rate\`) | < 0.5% | 100% | **FAIL** | ${words} |`);
    const rows = parseCsv(await render('csv'));
    const col = (name: string) => rows[0]!.indexOf(name);
    const overall = rows.find((r) => r[col('kpi')] === 'call_drop_rate' && r[col('scope')] === '*')!;
    expect([overall[col('previous')], overall[col('change')], overall[col('trend')]]).toEqual(['0.0035', '0.9965', words]);
    expect(await render('html')).toContain(`<td class="fail">FAIL</td><td>${words}</td>`);
  });
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) };
}

describe('kpid report arguments', () => {
  it.each([
    ['no --from', ['--to', TO], '--from: is required'],
    ['a date that is not one', ['--from', '2026-13-01', '--to', TO], '--from: "2026-13-01" is not a date'],
    ['a day not in the calendar', ['--from', '2026-02-30', '--to', TO], '--from: "2026-02-30" is not a date in the calendar'],
    ['a time without a zone', ['--from', '2026-03-01T06:00', '--to', TO], '--from: "2026-03-01T06:00" is not a date'],
    ['--to before --from', ['--from', TO, '--to', FROM], '--to: "2026-03-01" is not after --from "2026-03-08"'],
    ['--to equal to --from', ['--from', FROM, '--to', FROM], '--to: "2026-03-01" is not after --from'],
    ['over a year', ['--from', '2025-01-01', '--to', '2026-03-01'], '--to: a report covers at most 367 days'],
    ['an unknown format', ['--from', FROM, '--to', TO, '--format', 'pdf'], '--format: "pdf" is not a format; use md, csv, json, html'],
    ['an unknown option', ['--form', FROM, '--to', TO], "Unknown option '--form'"],
    ['a stray argument', ['--from', FROM, '--to', TO, 'extra'], 'extra'],
  ])('%s exits 2 and names the argument', async (_name, args, message) => {
    const io = capture();
    expect(await runReportCommand(args, io)).toBe(2);
    expect(io.err.join('')).toContain(message);
    expect(io.err.join('')).toContain('usage: kpid report');
    expect(io.out).toEqual([]);
  });

  it('a bad argument through the real command line exits 2', async () => {
    const out = await kpid('--from', 'yesterday', '--to', TO, '-c', embeddedConfig);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('kpid report: --from: "yesterday" is not a date');
  });

  it('ISO 8601 with an offset is read in that zone', async () => {
    const io = capture();
    expect(await runReportCommand(['--from', '2026-03-01T08:00:00+08:00', '--to', '2026-03-08T00:00:00.000Z', '--format', 'json', '-c', embeddedConfig], io)).toBe(0);
    expect((JSON.parse(io.out.join('')) as ComplianceReport).period.from).toBe('2026-03-01T00:00:00.000Z');
  });

  it('a missing state database or config is an error (exit 1), never an empty all-pass report', async () => {
    const cfg = join(dir, 'nostate.yaml');
    writeFileSync(cfg, `state: { sqlite: "${join(dir, 'absent.db')}" }\n`);
    const io = capture();
    expect(await runReportCommand(['--from', FROM, '--to', TO, '-c', cfg], io)).toBe(1);
    expect(io.err.join('')).toContain('absent.db (state.sqlite) does not exist');
    const io2 = capture();
    expect(await runReportCommand(['--from', FROM, '--to', TO, '-c', join(dir, 'none.yaml')], io2)).toBe(1);
    expect(io2.err.join('')).toContain('cannot read file');
  });

  it('an unreachable InfluxDB is an error (exit 1) naming it', async () => {
    const cfg = join(dir, 'deadinflux.yaml');
    writeFileSync(cfg, `state: { sqlite: "${join(dir, 'kpid.db')}" }\nstorage: { influx: { url: "http://127.0.0.1:9", database: kpid } }\n`);
    const io = capture();
    expect(await runReportCommand(['--from', FROM, '--to', TO, '-c', cfg], io)).toBe(1);
    expect(io.err.join('')).toContain('cannot query InfluxDB at http://127.0.0.1:9');
  });
});
