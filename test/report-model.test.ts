import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../src/alerts/state/sqlite-state-store.js';
import { FakeClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/logger.js';
import { HttpServer } from '../src/http/server.js';
import { buildReport } from '../src/report/build-report.js';
import { EmbeddedReportSource } from '../src/report/embedded-report-source.js';
import type { ComplianceReport } from '../src/report/report-model.js';
import { reportRoute } from '../src/report/report-route.js';
import { reportSourceFor } from '../src/report/report-inputs.js';
import { KpiCatalogue } from '../src/core/kpi-catalogue.js';
import { KpiRollup } from '../src/store/kpi-rollup.js';
import { at, FIXTURE_OUTAGES, FIXTURE_SAMPLES, outage } from './helpers/report-fixture.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kpid-report-model-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function files() {
  const db = join(dir, `state-${++n}.db`);
  return { db, store: new SqliteStateStore(db), rollup: new KpiRollup(db), source: new EmbeddedReportSource(db) };
}

const kpi = (r: ComplianceReport, id: string) => r.kpis.find((k) => k.id === id)!;

describe('the outage evidence', () => {
  it('an outage open at the end of the period counts to the end and has missed once past its target', async () => {
    const { store, source } = files();
    await store.putOutage(outage('open', 'bj/core-9', '2026-03-07T23:00:00Z', undefined));
    await store.putOutage(outage('young', 'bj/core-8', '2026-03-07T23:50:00Z', undefined));
    const r = await buildReport({ from: at('2026-03-01T00:00:00Z'), to: at('2026-03-08T00:00:00Z'), catalogue: new KpiCatalogue(), store, samples: source, now: at('2026-03-10T00:00:00Z') });
    expect(r.outages.map((o) => [o.id, o.restoredAt, o.durationSeconds, o.met])).toEqual([
      ['open', null, 3600, false],
      ['young', null, 600, null], // still inside its 30 minutes: neither met nor missed
    ]);
    expect(kpi(r, 'interruption_minutes')).toMatchObject({ value: 3600, status: 'fail' });
    expect(kpi(r, 'interruption_minutes').failures[0]!.detail).toContain('still open after 1h');
    // Nothing restored: no recovery time to judge yet.
    expect(kpi(r, 'recovery_minutes')).toMatchObject({ value: 0, status: 'pass', reason: 'no unplanned outage was restored (2 still open)' });
    await store.close();
  });

  it('a report made before the end of its period counts open outages up to now', async () => {
    const { store, source } = files();
    await store.putOutage(outage('open', 'bj/core-9', '2026-03-07T23:00:00Z', undefined));
    const r = await buildReport({ from: at('2026-03-07T00:00:00Z'), to: at('2026-03-08T00:00:00Z'), catalogue: new KpiCatalogue(), store, samples: source, now: at('2026-03-07T23:20:00Z') });
    expect(r.outages[0]).toMatchObject({ durationSeconds: 1200, inPeriodSeconds: 1200, met: null });
    await store.close();
  });

  it('an outage straddling the start counts whole against its target and clipped against availability', async () => {
    const { store, source } = files();
    await store.putOutage(outage('edge', 'sh/edge-2', '2026-02-28T23:40:00Z', 40));
    const r = await buildReport({ from: at('2026-03-01T00:00:00Z'), to: at('2026-03-02T00:00:00Z'), catalogue: new KpiCatalogue(), store, samples: source, now: at('2026-04-01T00:00:00Z') });
    expect(r.outages[0]).toMatchObject({ durationSeconds: 2400, inPeriodSeconds: 1200, met: false });
    expect(r.availability[0]).toMatchObject({ service: 'sh/edge-2', unplannedDowntimeSeconds: 1200 });
    expect(r.availability[0]!.availability).toBeCloseTo(1 - 1200 / 86_400, 12);
    await store.close();
  });

  it('with no outage at all the ledger KPIs pass and say why', async () => {
    const db = join(dir, 'no-rollup.db');
    const store = new SqliteStateStore(db);
    const source = new EmbeddedReportSource(db);
    const r = await buildReport({ from: at('2026-03-01T00:00:00Z'), to: at('2026-03-02T00:00:00Z'), catalogue: new KpiCatalogue(), store, samples: source, now: at('2026-04-01T00:00:00Z') });
    expect(kpi(r, 'availability')).toMatchObject({ value: 1, status: 'pass', reason: expect.stringContaining('no outage in the ledger') });
    expect(kpi(r, 'interruption_minutes')).toMatchObject({ value: 0, status: 'pass' });
    expect(r.failedServices).toEqual([]);
    // And every sample KPI is no_data, saying the rollup is empty.
    expect(r.kpis.filter((k) => k.status === 'no_data')).toHaveLength(16);
    expect(r.source.notes.join(' ')).toContain('holds no rollup yet');
    await source.close();
    await store.close();
  });

  it('kpis: overrides move the targets the report judges against', async () => {
    const { store, rollup, source } = files();
    for (const o of FIXTURE_OUTAGES) await store.putOutage(o);
    rollup.write(FIXTURE_SAMPLES);
    const catalogue = new KpiCatalogue({ recovery_minutes: { target: '<= 45m' }, network_coverage: { target: '>= 98%' }, availability: { target: '>= 99%' } });
    const r = await buildReport({ from: at('2026-03-01T00:00:00Z'), to: at('2026-03-08T00:00:00Z'), catalogue, store, samples: source, now: at('2026-04-01T00:00:00Z') });
    expect(kpi(r, 'recovery_minutes')).toMatchObject({ status: 'pass', target: { text: '<= 45m', value: 2700 } });
    expect(kpi(r, 'interruption_minutes').status).toBe('fail');
    expect(kpi(r, 'network_coverage').status).toBe('pass');
    expect(r.failedServices).toEqual([]);
    rollup.close();
    await store.close();
  });
});

describe('the daily rollup (KpiRollup → EmbeddedReportSource)', () => {
  it('folds readings per UTC day, keeps the newest as last even when it arrives first, and adds across batches', async () => {
    const { rollup, source } = files();
    const s = (value: number, time: string) => ({ measurement: 'kpi', tags: { kpi: 'network_coverage', scope: 'x' }, fields: { value }, time: at(time) });
    rollup.write([s(0.97, '2026-03-01T10:00:00Z'), s(0.99, '2026-03-01T08:00:00Z')]);
    rollup.write([s(0.98, '2026-03-01T09:00:00Z'), s(0.5, '2026-03-02T00:00:00Z'), s(Number.NaN, '2026-03-01T11:00:00Z')]);
    rollup.write([{ measurement: 'kpi', tags: { kpi: 'vuln_fix_rate' }, fields: { value: 1 }, time: at('2026-03-01T00:00:00Z') }]);
    rollup.write([{ measurement: 'probe', tags: { target: 'a' }, fields: { rtt_seconds: 1 }, time: at('2026-03-01T00:00:00Z') }]);
    const days = await source.kpiDays(at('2026-03-01T00:00:00Z'), at('2026-03-02T00:00:00Z'));
    expect(days).toHaveLength(2);
    const cov = days.find((d) => d.kpi === 'network_coverage')!;
    expect(cov).toMatchObject({ day: at('2026-03-01T00:00:00Z'), scope: 'x', count: 3, min: 0.97, max: 0.99, last: 0.97 });
    expect(cov.sum).toBeCloseTo(2.94, 12);
    // A reading without a scope is filed under "all", as kpid_kpi_value labels it.
    expect(days.find((d) => d.kpi === 'vuln_fix_rate')!.scope).toBe('all');
    rollup.write([
      { measurement: 'voice', tags: { target: 'm' }, fields: { call_attempts: 10, calls_dropped: 1 }, time: at('2026-03-01T01:00:00Z') },
      { measurement: 'voice', tags: { target: 'm' }, fields: { call_attempts: 5, calls_answered: 5 }, time: at('2026-03-01T02:00:00Z') },
    ]);
    expect(await source.voiceDays(at('2026-03-01T00:00:00Z'), at('2026-03-02T00:00:00Z'))).toEqual([
      { day: at('2026-03-01T00:00:00Z'), target: 'm', attempts: 15, answered: 5, dropped: 1 },
    ]);
    rollup.close();
    await source.close();
  });

  it('a source opened before the file exists reads the rollup once kpid has written it', async () => {
    const db = join(dir, 'later.db');
    const source = new EmbeddedReportSource(db);
    expect(await source.kpiDays(0, Date.UTC(2030, 0, 1))).toEqual([]);
    const rollup = new KpiRollup(db);
    rollup.write(FIXTURE_SAMPLES);
    expect((await source.voiceDays(at('2026-03-01T00:00:00Z'), at('2026-03-08T00:00:00Z'))).length).toBe(3); // msc-1 on 2 days, msc-2 on 1
    rollup.close();
    await source.close();
  });
});

describe('GET /api/v1/report', () => {
  let server: HttpServer;
  let url: string;
  let store: SqliteStateStore;
  const token = 'report-test-token-0123456789';

  beforeAll(async () => {
    const f = files();
    store = f.store;
    for (const o of FIXTURE_OUTAGES) await store.putOutage(o);
    f.rollup.write(FIXTURE_SAMPLES);
    f.rollup.close();
    const route = reportRoute({ catalogue: () => new KpiCatalogue(), store: () => store, samples: () => reportSourceFor({ state: { sqlite: f.db }, storage: {} }), clock: new FakeClock(at('2026-04-01T00:00:00Z')) });
    server = new HttpServer({ routes: () => [route], apiToken: () => token, log: silentLogger() });
    const addr = await server.listen('127.0.0.1', 0);
    url = `http://127.0.0.1:${addr.port}/api/v1/report`;
  });
  afterAll(async () => {
    await server?.close();
    await store?.close();
  });

  const get = (query: string, auth = true) => fetch(`${url}?${query}`, auth ? { headers: { authorization: `Bearer ${token}` } } : {});

  it('answers the JSON report for the period', async () => {
    const res = await get('from=2026-03-01&to=2026-03-08');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const r = (await res.json()) as ComplianceReport;
    expect(r.generatedAt).toBe('2026-04-01T00:00:00.000Z');
    expect(r.failedServices).toEqual(['bj-dc1/core-1']);
    expect(kpi(r, 'call_drop_rate').counts).toEqual({ attempts: 2000, answered: 1940, dropped: 7 });
  });

  it('serves the other formats with their content types', async () => {
    const html = await get('from=2026-03-01&to=2026-03-08&format=html');
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect((await html.text()).match(/<svg /g)).toHaveLength(19);
    const csv = await get('from=2026-03-01&to=2026-03-08&format=csv');
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect((await csv.text()).split('\r\n')[0]).toMatch(/^kpi,name,chapter,scope,/);
  });

  it.each([
    ['from=2026-03-32&to=2026-04-01', 'from', 'from: "2026-03-32" is not a date'],
    ['from=2026-03-01', 'to', 'to: is required'],
    ['from=2026-03-08&to=2026-03-01', 'to', 'to: "2026-03-01" is not after from'],
    ['from=2026-03-01&to=2026-03-08&format=pdf', 'format', 'format: "pdf" is not a format'],
  ])('%s is a 400 naming %s', async (query, parameter, message) => {
    const res = await get(query);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string; details: { parameter: string } } };
    expect(body.error.code).toBe('invalid_parameter');
    expect(body.error.details.parameter).toBe(parameter);
    expect(body.error.message).toContain(message);
  });

  it('needs the bearer token', async () => {
    expect((await get('from=2026-03-01&to=2026-03-08', false)).status).toBe(401);
  });
});
