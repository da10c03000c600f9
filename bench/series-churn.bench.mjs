// Issue 15, series that leave: 1,000,000 distinct pushed series over an hour
// of simulated time (FakeClock), through push ingest → pipeline → the
// shipped rules and the /metrics sink, printing heap and RSS every simulated
// 5 minutes. Each run is its own process, so the two do not share a heap:
//  - `evict`: pushed series live LIFETIME_MIN minutes (default 10, so the
//    hour holds six lifetimes); memory must stay flat after the first one;
//  - `anchor`: the same run with eviction off (lifetime for ever).
// Every series is one `probe` line (a third-party system pushing probe
// results): it binds the 7 shipped probe rules and sets two /metrics gauges.
// `npm run bench -- churn`; SERIES=200000 for a quicker, smaller run.
import { spawnSync } from 'node:child_process';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { Registry } from 'prom-client';
import { FakeClock } from '../dist/core/clock.js';
import { silentLogger } from '../dist/core/logger.js';
import { PushIngest } from '../dist/collectors/ingest/push-ingest.js';
import { Pipeline } from '../dist/pipeline/pipeline.js';
import { RuleRunner } from '../dist/rules/rule-runner.js';
import { loadRuleFiles } from '../dist/rules/rule-files.js';
import { SeriesTracker } from '../dist/metrics/series-tracker.js';
import { defineDaemonMetrics, metricsSink } from '../dist/daemon/metrics.js';
import { fmt, median } from './lib.mjs';

const SERIES = Number(process.env.SERIES ?? 1_000_000);
const LIFETIME_MIN = Number(process.env.LIFETIME_MIN ?? 10);
const ROUNDS = Number(process.env.ROUNDS ?? 1);
const HOUR_S = 3600;
const REPORT_S = 300;
const MiB = 1024 * 1024;

if (process.argv[2] === '--run') {
  run(process.argv[3]);
} else {
  const curves = { evict: [], anchor: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const mode of ['evict', 'anchor']) {
      const child = spawnSync(process.execPath, ['--max-old-space-size=12288', new URL(import.meta.url).pathname, '--run', mode], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      if (child.status !== 0) throw new Error(`${mode} run failed (${child.status})`);
      const rows = child.stdout.trim().split('\n').map((l) => JSON.parse(l));
      for (const row of rows) console.log(`${mode.padEnd(6)} round ${r + 1}  t=${String(row.minute).padStart(2)} min  series pushed ${String(row.pushed).padStart(7)}  kept: rules ${String(row.rules).padStart(7)} /metrics ${String(row.metrics).padStart(7)} guard ${String(row.guard).padStart(7)}  heapUsed ${fmt(row.heap, 4)} MiB  RSS ${fmt(row.rss, 4)} MiB  (${fmt(row.wall, 3)} s)`);
      curves[mode].push(rows);
    }
  }
  console.log(`\nSummary: ${SERIES} distinct pushed series over 60 simulated minutes, lifetime ${LIFETIME_MIN} min; medians of ${ROUNDS} round(s), after a full GC`);
  console.log('| minute | heapUsed evict MiB | RSS evict MiB | heapUsed anchor MiB | RSS anchor MiB |');
  console.log('|---:|---:|---:|---:|---:|');
  const minutes = curves.evict[0].map((row) => row.minute);
  minutes.forEach((m, i) => {
    const med = (mode, key) => fmt(median(curves[mode].map((rows) => rows[i][key])), 4);
    console.log(`| ${m} | ${med('evict', 'heap')} | ${med('evict', 'rss')} | ${med('anchor', 'heap')} | ${med('anchor', 'rss')} |`);
  });
}

function run(mode) {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  const lifetime = mode === 'evict' ? LIFETIME_MIN * 60_000 : Infinity;
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const log = silentLogger();
  const limits = {
    maxSamplesPerRequest: 100_000, maxMeasurements: 1_000, maxSeriesPerMeasurement: 2 * SERIES, maxSeries: 2 * SERIES,
    // The guard must hold every series when nothing expires: a lifetime longer than the run.
    idleExpiryMs: mode === 'evict' ? lifetime : 10 * HOUR_S * 1000,
    maxAgeMs: 7 * 86_400_000, maxFutureMs: 600_000,
  };
  const ingest = new PushIngest(limits, clock);
  const pipeline = new Pipeline(log);
  const registry = new Registry();
  const series = new SeriesTracker(clock);
  pipeline.add(metricsSink(defineDaemonMetrics(registry), series));
  const { rules } = loadRuleFiles([new URL('../alert-rules/*.yaml', import.meta.url).pathname]);
  let transitions = 0;
  const runner = new RuleRunner({ clock, rules, onTransitions: (ts) => { transitions += ts.length; } });
  runner.start();
  pipeline.add(runner);

  const perSecond = SERIES / HOUR_S;
  let pushed = 0;
  const started = performance.now();
  const report = (second) => {
    gc();
    const m = process.memoryUsage();
    console.log(JSON.stringify({
      minute: second / 60, pushed, rules: runner.seriesCount, metrics: series.size, guard: ingest.tracked.series,
      heap: m.heapUsed / MiB, rss: m.rss / MiB, wall: (performance.now() - started) / 1000,
    }));
  };
  for (let s = 0; s < HOUR_S; s++) {
    const upTo = Math.round((s + 1) * perSecond);
    let body = '';
    for (; pushed < upTo; pushed++) body += `probe,target=pushed-${pushed},probe=sla success=1i,rtt_seconds=0.012,loss_ratio=0\n`;
    if (body) {
      const result = ingest.parse(body, 'text/plain', 'ms');
      if (result.rejected.length) throw new Error(`rejected: ${JSON.stringify(result.rejected[0])}`);
      pipeline.publish(result.samples, mode === 'evict' ? ingest.seriesLifetime : Infinity);
    }
    clock.advance(1000);
    if ((s + 1) % REPORT_S === 0) report(s + 1);
  }
  if (transitions < 0) console.error(transitions);
}
