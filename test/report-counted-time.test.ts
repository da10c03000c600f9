import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../src/alerts/state/sqlite-state-store.js';
import type { Outage } from '../src/alerts/state/state-store.js';
import { KpiCatalogue } from '../src/core/kpi-catalogue.js';
import type { Sample } from '../src/core/sample.js';
import { buildReport } from '../src/report/build-report.js';
import { EmbeddedReportSource } from '../src/report/embedded-report-source.js';
import { renderReport } from '../src/report/render.js';
import type { ComplianceReport } from '../src/report/report-model.js';
import { KpiRollup } from '../src/store/kpi-rollup.js';
import { at, outage } from './helpers/report-fixture.js';
import { parseCsv } from './helpers/report-checks.js';

/**
 * The issue-13 case: a report for a year that has just begun, made two
 * minutes after kpid started watching a switch port that is down. Figures
 * worked out by hand below; "now" is injected.
 */
const FROM = at('2026-01-01T00:00:00Z');
const TO = at('2027-01-01T00:00:00Z');
const NOW = at('2026-03-10T00:02:00Z');
/** 2026-01-01 to 2026-03-10 is 31 + 28 + 9 = 68 days; then 2 minutes. */
const COUNTED_S = 68 * 86_400 + 120;

const labelled = (o: Outage, labels: Record<string, string>): Outage => ({ ...o, labels: { ...o.labels, ...labels } });

let dir: string;
let report: ComplianceReport;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kpid-report-counted-'));
  const db = join(dir, 'kpid.db');
  // kpid's first samples of sw1 and of its port Gi0/1: 2026-03-10T00:00:00Z; of r2 (upgraded, ledger older than the records): 03-05.
  const rollup = new KpiRollup(db);
  const sample = (measurement: string, tags: Record<string, string>, time: string): Sample => ({ measurement, tags, fields: { up: 1 }, time: at(time) });
  rollup.write([
    sample('target', { target: 'sw1' }, '2026-03-10T00:00:00Z'),
    sample('interface', { target: 'sw1', interface: 'Gi0/1' }, '2026-03-10T00:00:00Z'),
    sample('target', { target: 'r2' }, '2026-03-05T00:00:00Z'),
  ]);
  // A later poll never moves a first sighting, nor does a restarted kpid's first poll.
  rollup.write([sample('interface', { target: 'sw1', interface: 'Gi0/1' }, '2026-03-10T00:01:00Z')]);
  rollup.close();
  const restarted = new KpiRollup(db);
  restarted.write([sample('interface', { target: 'sw1', interface: 'Gi0/1' }, '2026-03-10T00:01:30Z')]);
  restarted.close();

  const store = new SqliteStateStore(db);
  // The port went down 30 s after kpid first saw it and is still down.
  await store.putOutage(labelled(outage('port', 'dc/sw1/Gi0/1', '2026-03-10T00:00:30Z', undefined), { target: 'sw1', interface: 'Gi0/1' }));
  // No target label: kpid cannot tell since when it watched this one.
  await store.putOutage(outage('legacy', 'dc/old-1', '2026-03-09T00:00:00Z', undefined));
  // The ledger proves r2 was watched on 03-01, before its first_seen record.
  await store.putOutage(labelled(outage('r2-o', 'dc/r2', '2026-03-01T00:00:00Z', 30), { target: 'r2' }));
  const samples = new EmbeddedReportSource(db);
  report = await buildReport({ from: FROM, to: TO, catalogue: new KpiCatalogue(), store, samples, now: NOW });
  await samples.close();
  await store.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const service = (name: string) => report.availability.find((s) => s.service === name)!;
const kpi = (id: string) => report.kpis.find((k) => k.id === id)!;

describe('a period that ends in the future', () => {
  it('is counted up to now, and the report says so', () => {
    expect(report.period).toEqual({
      from: '2026-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z', seconds: 365 * 86_400,
      countedTo: '2026-03-10T00:02:00.000Z', countedSeconds: COUNTED_S, cutAtNow: true,
      note: 'the period ends 2027-01-01T00:00:00.000Z, after this report was made: it is counted up to 2026-03-10T00:02:00.000Z (now), and open outages count up to then',
      previous: { from: '2025-01-01T00:00:00.000Z', to: '2026-01-01T00:00:00.000Z' },
    });
  });

  it('counts an open outage up to now, not up to the end of the period', () => {
    expect(report.outages.map((o) => [o.id, o.durationSeconds, o.inPeriodSeconds, o.met])).toEqual([
      ['r2-o', 1800, 1800, true],
      ['legacy', 86_520, 86_520, false], // 03-09T00:00 to now: 1 day and 2 minutes, past its 30 minutes
      ['port', 90, 90, null], // 90 s, still inside its 30 minutes
    ]);
    expect(kpi('interruption_minutes').value).toBe(86_520);
  });

  it('has no figure for the days after now', () => {
    const daily = kpi('availability').daily;
    expect(daily).toHaveLength(365);
    expect(daily.find((d) => d.day === '2026-03-11')!.value).toBeNull();
    expect(daily.find((d) => d.day === '2027-12-31')).toBeUndefined();
    expect(daily.filter((d) => d.value === null)).toHaveLength(365 - 69);
    // 03-10 so far is 2 minutes: the worst service, dc/old-1, was down all of them (the port only 90 s).
    expect(daily.find((d) => d.day === '2026-03-10')!.value).toBe(0);
    // 03-09: old-1 down from midnight, the whole day; 03-08: nothing down.
    expect(daily.find((d) => d.day === '2026-03-09')!.value).toBe(0);
    expect(daily.find((d) => d.day === '2026-03-08')!.value).toBe(1);
    expect(kpi('interruption_minutes').daily.find((d) => d.day === '2026-06-01')!.value).toBeNull();
  });
});

describe('availability over the time a service was monitored', () => {
  it('a port watched for two minutes, down for the last 90 s of them, is 25 % available, not 29 days down', () => {
    expect(service('dc/sw1/Gi0/1')).toEqual({
      service: 'dc/sw1/Gi0/1', target: 'sw1', availability: 0.25, status: 'fail',
      monitoredFrom: '2026-03-10T00:00:00.000Z', monitoredSeconds: 120, monitoredSince: 'first_sample',
      unplannedDowntimeSeconds: 90, plannedDowntimeSeconds: 0, unplannedOutages: 1, plannedOutages: 0,
    });
  });

  it('without a first-sample record the whole period so far is assumed, and said', () => {
    const s = service('dc/old-1');
    expect([s.monitoredFrom, s.monitoredSeconds, s.monitoredSince, s.unplannedDowntimeSeconds]).toEqual(['2026-01-01T00:00:00.000Z', COUNTED_S, 'unknown', 86_520]);
    expect(s.availability).toBeCloseTo(1 - 86_520 / COUNTED_S, 12);
  });

  it('an outage older than the first-sample record moves the start back to the outage', () => {
    const s = service('dc/r2');
    // 03-01T00:00 to 03-10T00:02: 9 days and 2 minutes.
    expect([s.monitoredFrom, s.monitoredSeconds, s.monitoredSince]).toEqual(['2026-03-01T00:00:00.000Z', 9 * 86_400 + 120, 'first_outage']);
    expect(s.availability).toBeCloseTo(1 - 1800 / (9 * 86_400 + 120), 12);
  });

  it('the basis says how availability was judged', () => {
    expect(kpi('availability').basis).toContain('(monitored − planned − unplanned downtime) ÷ (monitored − planned)');
    expect(kpi('availability').basis).toContain('from when kpid first saw the service up to the end of the period or now if earlier');
    expect(kpi('availability').value).toBe(0.25);
  });
});

describe('every format says the period was cut at now', () => {
  it('Markdown', () => {
    const md = renderReport(report, 'md');
    expect(md).toContain('**Counted up to 2026-03-10T00:02:00.000Z (68d 2m): the period ends 2027-01-01T00:00:00.000Z, after this report was made');
    expect(md).toContain('| dc/sw1/Gi0/1 | 25% | **FAIL** | 2m from 2026-03-10T00:00:00.000Z (first sample) | 1m 30s |');
  });

  it('HTML', () => {
    const html = renderReport(report, 'html');
    expect(html).toContain('<p><strong>Counted up to 2026-03-10T00:02:00.000Z (68d 2m): the period ends 2027-01-01T00:00:00.000Z');
    expect(html).toContain('<td>2m from 2026-03-10T00:00:00.000Z (first sample)</td>');
  });

  it('CSV: every row says where counting stopped, and each KPI row why', () => {
    const [header, ...rows] = parseCsv(renderReport(report, 'csv'));
    const col = (name: string) => header!.indexOf(name);
    expect(rows.every((r) => r[col('counted_to')] === '2026-03-10T00:02:00.000Z')).toBe(true);
    const overall = rows.filter((r) => r[col('scope')] === '*');
    expect(overall).toHaveLength(19);
    expect(overall.every((r) => r[col('note')]!.startsWith('the period ends 2027-01-01T00:00:00.000Z, after this report was made'))).toBe(true);
  });

  it('JSON', () => {
    const json = JSON.parse(renderReport(report, 'json')) as ComplianceReport;
    expect(json.period).toMatchObject({ cutAtNow: true, countedTo: '2026-03-10T00:02:00.000Z' });
  });
});
