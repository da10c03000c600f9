import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Gauge, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/logger.js';
import { defineMetrics } from '../src/metrics/definitions.js';
import { defineStoreMetrics } from '../src/metrics/store-metrics.js';
import { InfluxStore } from '../src/store/influx-store.js';
import { allQueries, loadDashboards, type Dashboard } from './helpers/dashboards.js';
import { startInfluxd, type Influxd } from './helpers/influxd.js';
import { networkHour } from './helpers/kpid-samples.js';
import { startPrometheus, type PrometheusServer } from './helpers/prometheus.js';

const DB = 'kpid';
const dashboards = loadDashboards();
let influxd: Influxd;
let prometheus: PrometheusServer | undefined;
let exporter: Server | undefined;
const spoolDir = mkdtempSync(join(tmpdir(), 'kpid-grafana-spool-'));

/** A gauge from kpid's definitions when it is defined there already, else one with the SPEC.md name and labels. */
function gauge(registry: Registry, name: string, labelNames: string[]): Gauge<string> {
  return (registry.getSingleMetric(name) as Gauge<string> | undefined) ?? new Gauge({ name, help: `${name} (SPEC.md)`, labelNames, registers: [registry] });
}

/** kpid-style /metrics: the names of SPEC.md, served from a real prom-client Registry on loopback. */
async function startExporter(): Promise<string> {
  const registry = new Registry();
  defineMetrics(registry);
  const up = gauge(registry, 'kpid_target_up', ['target', 'site']);
  up.set({ target: 'core-1', site: 'bj-dc1' }, 1);
  up.set({ target: 'edge-1', site: 'sh-dc2' }, 0);
  const util = gauge(registry, 'kpid_interface_utilization_ratio', ['target', 'interface', 'direction']);
  util.set({ target: 'core-1', interface: 'Gi0/1', direction: 'in' }, 0.93);
  util.set({ target: 'core-1', interface: 'Gi0/1', direction: 'out' }, 0.41);
  gauge(registry, 'kpid_probe_rtt_seconds', ['target', 'probe']).set({ target: 'core-1', probe: 'icmp' }, 0.012);
  gauge(registry, 'kpid_probe_loss_ratio', ['target', 'probe']).set({ target: 'core-1', probe: 'icmp' }, 0.02);
  const kpiValue = gauge(registry, 'kpid_kpi_value', ['kpi', 'scope']);
  const kpiOk = gauge(registry, 'kpid_kpi_compliant', ['kpi', 'scope']);
  kpiValue.set({ kpi: 'call_drop_rate', scope: 'bj-dc1' }, 0.003);
  kpiOk.set({ kpi: 'call_drop_rate', scope: 'bj-dc1' }, 1);
  kpiValue.set({ kpi: 'availability', scope: 'internet' }, 0.9982);
  kpiOk.set({ kpi: 'availability', scope: 'internet' }, 0);
  gauge(registry, 'kpid_alerts', ['state', 'severity']).set({ state: 'firing', severity: 'critical' }, 2);
  gauge(registry, 'kpid_outages_open', []).set(1);
  gauge(registry, 'kpid_outage_sla_remaining_seconds', ['outage', 'service']).set({ outage: 'out-1', service: 'internet' }, 1_210);

  exporter = createServer((req, res) => {
    void registry.metrics().then((text) => {
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(text);
    });
  });
  await new Promise<void>((r) => exporter!.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(exporter.address() as { port: number }).port}`;
}

beforeAll(async () => {
  influxd = await startInfluxd();
  const store = new InfluxStore(
    { url: influxd.url, database: DB, spoolDir, retentionPolicy: { name: 'kpid', durationMs: 30 * 86_400_000 } },
    { clock: systemClock, log: silentLogger(), metrics: defineStoreMetrics(new Registry()) },
  );
  await store.start();
  store.write(networkHour(Date.now()));
  await store.close();
  expect(store.status().spooledPoints).toBe(0);
  prometheus = await startPrometheus([await startExporter()]);
}, 90_000);

afterAll(async () => {
  await prometheus?.stop();
  await new Promise((r) => (exporter ? exporter.close(r) : r(undefined)));
  await influxd?.stop();
  rmSync(spoolDir, { recursive: true, force: true });
});

/** Grafana's InfluxDB datasource escapes regex specials (and /) in values substituted into /^$var$/. */
const regexEscape = (v: string) => v.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');

function substitute(query: string, vars: Record<string, string>): string {
  let q = query.replaceAll('$timeFilter', 'time > now() - 2h').replaceAll('$__interval', '1m');
  for (const [name, value] of Object.entries(vars)) q = q.replaceAll(`$${name}`, value);
  return q;
}

/** Resolves the template variables in order, each from InfluxDB, taking `pick` of the values. */
async function resolveVariables(d: Dashboard, pick: 'first' | 'all'): Promise<Record<string, string>> {
  const vars: Record<string, string> = {};
  for (const v of d.templating.list) {
    const rows = await influxd.rows(substitute(v.query, vars), DB);
    expect(rows.length, `variable ${v.name}: ${v.query}`).toBeGreaterThan(0);
    vars[v.name] = pick === 'all' ? '.*' : regexEscape(String(rows[0]!.value));
  }
  return vars;
}

async function seriesOf(q: string) {
  const answer = await influxd.query(q, DB);
  const result = answer.results[0]!;
  expect(result.error, q).toBeUndefined();
  return result.series ?? [];
}

describe.each(dashboards)('queries of $file return data', ({ dashboard }) => {
  const influxTargets = allQueries(dashboard).filter((q) => q.uid === 'kpid-influxdb');
  const promTargets = allQueries(dashboard).filter((q) => q.uid === 'kpid-prometheus');

  if (influxTargets.length > 0) it.each(['first', 'all'] as const)(
    'every InfluxQL panel query, with variables set to the %s value(s), returns non-empty series',
    async (pick) => {
      const vars = await resolveVariables(dashboard, pick);
      for (const { panel, target } of influxTargets) {
        const q = substitute(target.query!, vars);
        const series = await seriesOf(q);
        expect(series.length, `${panel.title}: ${q}`).toBeGreaterThan(0);
        const values = series.flatMap((s) => s.values.flatMap((row) => row.slice(1)));
        expect(values.some((v) => typeof v === 'number'), `${panel.title}: no numbers in ${JSON.stringify(series).slice(0, 300)}`).toBe(true);
      }
    },
  );

  if (promTargets.length > 0) it('every PromQL panel query returns data from Prometheus scraping kpid-style /metrics', async () => {
    for (const { panel, target } of promTargets) {
      const expr = target.expr!.replaceAll('$service', '.*');
      const result = await prometheus!.query(expr);
      expect(result.length, `${panel.title}: ${expr}`).toBeGreaterThan(0);
    }
  });
});

describe('the queries are checked against known values', () => {
  it('the voice drop rate stat is the ratio of sums the samples were built with', async () => {
    const [series] = await seriesOf(`SELECT sum("calls_dropped") / sum("calls_answered") FROM "voice" WHERE time > now() - 2h`);
    const samples = networkHour(Date.now()).filter((s) => s.measurement === 'voice');
    const expected = samples.reduce((a, s) => a + s.fields.calls_dropped!, 0) / samples.reduce((a, s) => a + s.fields.calls_answered!, 0);
    expect(series!.values[0]![1]).toBeCloseTo(expected, 9);
  });

  it('the SLA panels tell month to date from rolling 30 days', async () => {
    const sla = dashboards.find((d) => d.dashboard.uid === 'kpid-sla')!.dashboard;
    const [mtd, rolling] = allQueries(sla)
      .filter((q) => q.uid === 'kpid-influxdb')
      .map((q) => substitute(q.target.query!, { service: 'internet' }));
    expect((await seriesOf(mtd!))[0]!.values[0]![1]).toBe(0.9982);
    expect((await seriesOf(rolling!))[0]!.values[0]![1]).toBe(0.9995);
  });

  it('the worst-link query ranks the 93 % link first', async () => {
    const result = await prometheus!.query('topk(1, kpid_interface_utilization_ratio)');
    expect(result[0]!.metric).toMatchObject({ target: 'core-1', direction: 'in' });
  });
});
