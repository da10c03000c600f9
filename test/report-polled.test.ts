import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../src/alerts/state/sqlite-state-store.js';
import { systemClock } from '../src/core/clock.js';
import { KpiCatalogue } from '../src/core/kpi-catalogue.js';
import { silentLogger } from '../src/core/logger.js';
import type { Sample } from '../src/core/sample.js';
import { defineStoreMetrics } from '../src/metrics/store-metrics.js';
import { buildReport } from '../src/report/build-report.js';
import { EmbeddedReportSource } from '../src/report/embedded-report-source.js';
import { InfluxReportSource } from '../src/report/influx-report-source.js';
import type { ComplianceReport, KpiResult } from '../src/report/report-model.js';
import type { ReportSource } from '../src/report/report-source.js';
import { InfluxStore } from '../src/store/influx-store.js';
import { KpiRollup } from '../src/store/kpi-rollup.js';
import { startInfluxd, type Influxd } from './helpers/influxd.js';
import { at } from './helpers/report-fixture.js';

/**
 * Chapter-5.1 rows from polled interface and probe samples, over two days
 * (2026-03-01 and 03-02), through kpid's own writers: the rollup sink and
 * the InfluxDB writer into a real influxd. Expected figures by hand.
 */
const FROM = at('2026-03-01T00:00:00Z');
const TO = at('2026-03-03T00:00:00Z');
const NOW = at('2026-04-01T00:00:00Z');

const iface = (name: string, time: string, fields: Record<string, number>): Sample => ({
  measurement: 'interface', tags: { target: 'sw1', site: 'dc', interface: name }, fields, time: at(time),
});
const probe = (target: string, time: string, fields: Record<string, number>): Sample => ({
  measurement: 'probe', tags: { target, site: 'dc', probe: 'ping' }, fields, time: at(time), integerFields: ['success', 'sent', 'received'],
});
const throughput = (target: string, time: string, bps: number): Sample => ({
  measurement: 'probe', tags: { target, site: 'dc', probe: 'dl' }, time: at(time), integerFields: ['success', 'bytes'],
  fields: { success: 1, bytes: 25_000_000, ttfb_seconds: 0.01, download_bits_per_second: bps },
});
const minute = (day: string, i: number) => `${day}T00:${String(i).padStart(2, '0')}:00Z`;

function fixture(): Sample[] {
  const out: Sample[] = [];
  for (const [day, peak] of [['2026-03-01', 0.85], ['2026-03-02', 0.95]] as const) {
    for (let i = 0; i < 10; i++) {
      // Gi0/1 in: nine polls at 10 % and one peak a day; out: 50 % throughout. Gi0/2 in: 79.5 % throughout.
      out.push(iface('Gi0/1', minute(day, i), {
        in_utilization: i === 9 ? peak : 0.1, out_utilization: 0.5,
        in_errors_ratio: day === '2026-03-01' ? 0.001 : 0.003, in_discards_ratio: 0,
      }));
      out.push(iface('Gi0/2', minute(day, i), { in_utilization: 0.795 }));
    }
  }
  out.push(
    probe('r1', '2026-03-01T01:00:00Z', { success: 1, sent: 10, received: 9, loss_ratio: 0.1, rtt_seconds: 0.02, jitter_seconds: 0.004 }),
    probe('r1', '2026-03-01T02:00:00Z', { success: 1, sent: 10, received: 10, loss_ratio: 0, rtt_seconds: 0.04, jitter_seconds: 0.012 }),
    probe('r1', '2026-03-02T01:00:00Z', { success: 1, sent: 20, received: 18, loss_ratio: 0.1, rtt_seconds: 0.12 }),
    // fping could not start: no packets sent, so no loss measured.
    probe('r1', '2026-03-02T02:00:00Z', { success: 0, sent: 0, received: 0, loss_ratio: 1 }),
    probe('r2', '2026-03-01T01:00:00Z', { success: 1, sent: 10, received: 10, loss_ratio: 0, rtt_seconds: 0.01, jitter_seconds: 0.02 }),
    probe('r2', '2026-03-01T02:00:00Z', { success: 1, sent: 10, received: 10, loss_ratio: 0, rtt_seconds: 0.03, jitter_seconds: 0.02 }),
    // Throughput probes: e1 (120 + 80) / 2 = 100 Mbit/s meets ≥ 100 Mbit/s; e2 (90 + 96 + 93) / 3 = 93 Mbit/s does not.
    throughput('e1', '2026-03-01T01:00:00Z', 120e6), throughput('e1', '2026-03-02T01:00:00Z', 80e6),
    throughput('e2', '2026-03-01T01:00:00Z', 90e6), throughput('e2', '2026-03-02T01:00:00Z', 96e6),
    throughput('e2', '2026-03-02T02:00:00Z', 93e6),
    // The operator's own figure for r2/ping: used in place of kpid's.
    { measurement: 'kpi', tags: { kpi: 'latency', scope: 'r2/ping' }, fields: { value: 0.2 }, time: at('2026-03-01T03:00:00Z') },
  );
  return out;
}

let dir: string;
let influxd: Influxd;
let db: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kpid-report-polled-'));
  db = join(dir, 'kpid.db');
  await new SqliteStateStore(db).close();
  const samples = fixture();
  const rollup = new KpiRollup(db);
  rollup.write(samples.slice(0, 25));
  rollup.write(samples.slice(25));
  rollup.close();
  influxd = await startInfluxd();
  const store = new InfluxStore(
    { url: influxd.url, database: 'kpid_polled', spoolDir: join(dir, 'spool'), flushIntervalMs: 50 },
    { clock: systemClock, log: silentLogger(), metrics: defineStoreMetrics(new Registry()) },
  );
  await store.start();
  store.write(samples);
  await store.close();
  const [stored] = await influxd.rows('SELECT count(in_utilization) FROM interface', 'kpid_polled');
  expect(stored?.count).toBe(40);
});

afterAll(async () => {
  await influxd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function reportFrom(samples: ReportSource): Promise<ComplianceReport> {
  const store = new SqliteStateStore(db);
  try {
    return await buildReport({ from: FROM, to: TO, catalogue: new KpiCatalogue(), store, samples, now: NOW });
  } finally {
    await samples.close();
    await store.close();
  }
}

const scopes = (k: KpiResult) => k.scopes.map((s) => [s.scope, s.source, s.value === null ? null : Number(s.value.toPrecision(12)), s.status, s.days, s.failingDays]);

function expectPolledFigures(r: ComplianceReport, gi02p95: number): void {
  const kpi = (id: string) => r.kpis.find((k) => k.id === id)!;
  // Gi0/1 in: 18 polls at 10 %, 85 % and 95 %: the 19th of 20 (nearest rank of 95 %) is 85 % > 80 %.
  // Day by day: 10 polls each, the 10th is the day's peak, so neither day's p95 is the period's. Out: 50 %.
  const util = kpi('bandwidth_utilisation');
  expect(scopes(util)).toEqual([
    ['sw1/Gi0/1 in', 'polled', 0.85, 'fail', 2, 2],
    ['sw1/Gi0/1 out', 'polled', 0.5, 'pass', 2, 0],
    ['sw1/Gi0/2 in', 'polled', gi02p95, 'pass', 2, 0],
  ]);
  expect([util.value, util.status]).toEqual([0.85, 'fail']);
  expect(util.daily).toEqual([{ day: '2026-03-01', value: 0.85 }, { day: '2026-03-02', value: 0.95 }]);
  expect(util.scopes[0]!.readings).toMatchObject({ count: 20, min: 0.1, max: 0.95, last: 0.95 });
  expect(util.failures.map((f) => [f.target, f.scope, f.days])).toEqual([['sw1', 'sw1/Gi0/1 in', 2]]);

  // Round trip: r1 (20 + 40 + 120 ms) / 3 = 60 ms > 50 ms; r2 is the operator's pushed 200 ms, not kpid's 20 ms.
  const latency = kpi('latency');
  expect(scopes(latency)).toEqual([
    ['r1/ping', 'polled', 0.06, 'fail', 2, 1],
    ['r2/ping', 'pushed', 0.2, 'fail', 1, 1],
  ]);
  expect(latency.value).toBe(0.2);

  // Loss: 1 + 0 + 2 packets lost of 10 + 10 + 20 sent = 7.5 % (the mean of the ratios would be 6.67 %).
  const loss = kpi('packet_loss');
  expect(scopes(loss)).toEqual([
    ['r1/ping', 'polled', 0.075, 'fail', 2, 2],
    ['r2/ping', 'polled', 0, 'pass', 1, 0],
  ]);
  expect(loss.scopes[0]!.readings!.count).toBe(3);

  // Jitter: r1 (4 + 12) / 2 = 8 ms ≤ 10 ms; r2 20 ms.
  expect(scopes(kpi('jitter'))).toEqual([
    ['r1/ping', 'polled', 0.008, 'pass', 1, 0],
    ['r2/ping', 'polled', 0.02, 'fail', 1, 1],
  ]);

  // Errors: Gi0/1 in (0.1 % × 10 + 0.3 % × 10) / 20 = 0.2 % > 0.1 %; the first day alone is exactly 0.1 %, not over.
  expect(scopes(kpi('interface_errors'))).toEqual([
    ['sw1/Gi0/1 in discards', 'polled', 0, 'pass', 2, 0],
    ['sw1/Gi0/1 in errors', 'polled', 0.002, 'fail', 2, 1],
  ]);
  expect(kpi('interface_errors').basis).toContain('polled scopes: mean of the per-poll error ratio');

  // Average data rate from the throughput probes: per target the mean of its readings; overall the mean of all
  // five readings, 479 / 5 = 95.8 Mbit/s: neither the worst target (93) nor the mean of the target means (96.5).
  const rate = kpi('avg_data_rate');
  expect(scopes(rate)).toEqual([
    ['e1/dl', 'polled', 100e6, 'pass', 2, 1],
    ['e2/dl', 'polled', 93e6, 'fail', 2, 2],
  ]);
  expect([rate.value, rate.status]).toEqual([95.8e6, 'fail']);
  expect(rate.basis).toContain('mean of every throughput probe reading');
}

describe('chapter-5.1 rows from polled samples', () => {
  it('embedded rollup: utilisation p95 by whole-percent bins, rounded up (79.5 % reads 80 %, still within ≤ 80 %)', async () => {
    const r = await reportFrom(new EmbeddedReportSource(db));
    expectPolledFigures(r, 0.8);
  });

  it('InfluxDB: the same rows from the raw points, p95 exact', async () => {
    const r = await reportFrom(new InfluxReportSource({ url: influxd.url, database: 'kpid_polled' }));
    expectPolledFigures(r, 0.795);
  });

  it('with neither polled samples nor pushed readings a 5.1 row has no data and says why', async () => {
    const r = await reportFrom(new EmbeddedReportSource(join(dir, 'empty.db')));
    expect(r.kpis.find((k) => k.id === 'jitter')).toMatchObject({ value: null, status: 'no_data', reason: 'no polled samples and no kpi=jitter readings in the period' });
  });
});
