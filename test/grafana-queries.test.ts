import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allQueries, loadDashboards } from './helpers/dashboards.js';
import { BACKBONE, CALLS, SERVICE_DOWN, startFullKpid, UPLINK, type FullKpid } from './helpers/full-kpid.js';
import { eventually } from './helpers/kpid-process.js';
import { startPrometheus, type PrometheusServer } from './helpers/prometheus.js';

// One real kpid with every collector, the notifier, the store and alerts
// firing; a real Prometheus scrapes it and a real influxd holds what it
// wrote. Every query of every shipped dashboard is enumerated here, at load,
// from the committed JSON: one test per query.
const DB = 'kpid';
const dashboards = loadDashboards();
const promQueries = dashboards.flatMap(({ file, dashboard }) =>
  allQueries(dashboard).filter((q) => q.uid === 'kpid-prometheus').map((q) => ({ file, title: `${q.panel.title} [${q.target.refId}]`, expr: q.target.expr! })));
const influxQueries = dashboards.flatMap(({ file, dashboard }) =>
  allQueries(dashboard).filter((q) => q.uid === 'kpid-influxdb').map((q) => ({ file, title: `${q.panel.title} [${q.target.refId}]`, query: q.target.query! })));
const variableQueries = dashboards.flatMap(({ file, dashboard }) => dashboard.templating.list.map((v) => ({ file, name: v.name, query: v.query })));

let full: FullKpid;
let prometheus: PrometheusServer;

beforeAll(async () => {
  full = await startFullKpid();
  prometheus = await startPrometheus([full.scrapeTarget]);
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  await full?.stop();
});

/** What Grafana substitutes before a PromQL query leaves it; every variable is "All". */
const promql = (expr: string) => expr.replaceAll('$__rate_interval', '15s').replaceAll('$service', '.*');

/** Grafana's InfluxQL macros, and "All" (`.*`) for every template variable. */
const influxql = (query: string) =>
  query.replaceAll('$timeFilter', 'time > now() - 1h').replaceAll('$__interval', '10s').replace(/\$[a-z_]+/g, '.*');

async function influxSeries(q: string) {
  const answer = await full.influxd.query(q, DB);
  const result = answer.results[0]!;
  expect(result.error, q).toBeUndefined();
  return result.series ?? [];
}

/** Waits until the query returns a series with a number in it (kpid writes every 200 ms, polls every 2 s). */
async function influxNumbers(q: string): Promise<number[]> {
  return eventually(async () => {
    const values = (await influxSeries(q)).flatMap((s) => s.values.flatMap((row) => row.slice(1))).filter((v) => typeof v === 'number');
    return values.length > 0 && (values as number[]);
  }, 20_000, 250).catch((err) => {
    throw new Error(`${q}: no numbers (${(err as Error).message})`);
  });
}

async function promVector(expr: string) {
  return eventually(async () => {
    const r = await prometheus.query(expr);
    return r.length > 0 && r;
  }, 20_000, 250).catch((err) => {
    throw new Error(`${expr}: empty (${(err as Error).message})`);
  });
}

describe('kpid with every collector, the notifier, the store and alerts firing', () => {
  it('its /metrics passes `promtool check metrics` with no output at all', async () => {
    const text = await full.kpid.metrics();
    let out = '';
    let status = 0;
    try {
      out = execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (err) {
      const e = err as { status: number; stdout?: string; stderr?: string };
      status = e.status;
      out = `${e.stdout ?? ''}${e.stderr ?? ''}`;
    }
    expect({ status, out }).toEqual({ status: 0, out: '' });
  });

  it('the dashboards have queries of both kinds to run', () => {
    expect(promQueries.length).toBeGreaterThanOrEqual(12);
    expect(influxQueries.length).toBeGreaterThanOrEqual(20);
    expect(variableQueries.length).toBeGreaterThanOrEqual(9);
  });

  describe.each(promQueries)('PromQL in $file: $title', ({ expr }) => {
    it(`returns data from Prometheus scraping kpid: ${expr}`, async () => {
      expect((await promVector(promql(expr))).length).toBeGreaterThan(0);
    });
  });

  describe.each(influxQueries)('InfluxQL in $file: $title', ({ query }) => {
    it('returns numbers from the InfluxDB kpid wrote to', async () => {
      expect((await influxNumbers(influxql(query))).length).toBeGreaterThan(0);
    });
  });

  describe.each(variableQueries)('template variable $name of $file', ({ query }) => {
    it('offers at least one value', async () => {
      const rows = await eventually(async () => {
        const r = await full.influxd.rows(influxql(query), DB);
        return r.length > 0 && r;
      }, 20_000, 250);
      expect(rows.length).toBeGreaterThan(0);
    });
  });

  describe('the figures are the agent\'s', () => {
    it('rate(kpid_interface_receive_bytes_total) * 8 is the uplink\'s bits/s (10 Mbit/s)', async () => {
      const series = `kpid_interface_receive_bytes_total{target="core-1",interface="${UPLINK.name}"}`;
      // rate() over a window longer than the series' life in Prometheus
      // under-reads; wait until 20 s of 1 s scrapes are in (kpid polls every 2 s).
      await eventually(async () => Number((await prometheus.query(`count_over_time(${series}[20s])`))[0]?.value[1] ?? 0) >= 19, 40_000, 500);
      const [r] = await promVector(`rate(${series}[20s]) * 8`);
      const ratio = Number(r!.value[1]) / (UPLINK.inBytesPerSec! * 8);
      expect(ratio).toBeGreaterThan(0.8);
      expect(ratio).toBeLessThan(1.2);
    }, 90_000);

    it('the busiest-link panel ranks the 4 Gbit/s backbone first', async () => {
      const noc = dashboards.find((d) => d.dashboard.uid === 'kpid-noc')!.dashboard;
      const busiest = allQueries(noc).find((q) => q.target.expr?.includes('receive_bytes_total'))!;
      const [top] = (await promVector(promql(busiest.target.expr!.replace('topk(5,', 'topk(1,'))));
      expect(top!.metric).toMatchObject({ target: 'core-1', interface: BACKBONE.name });
    });

    it('the call drop rate stat is dropped ÷ answered as the switch counts them (10 %)', async () => {
      const [rate] = await influxNumbers(`SELECT sum("calls_dropped") / sum("calls_answered") FROM "voice" WHERE time > now() - 1h`);
      expect(rate! / (CALLS.dropped / CALLS.answered)).toBeGreaterThan(0.9);
      expect(rate! / (CALLS.dropped / CALLS.answered)).toBeLessThan(1.1);
    });

    it('the outage table shows the link-down outage open', async () => {
      const [series] = (await influxSeries(`SELECT last("open") AS "open" FROM "outage" WHERE "service" = '${SERVICE_DOWN}' AND time > now() - 1h`));
      expect(series?.values[0]?.[1]).toBe(1);
    });
  });
});
