// Rule engine throughput and memory: samples/s through 1,000 rules over
// 10,000 series on one core, and heap bytes per series.
// `npm run bench -- rules` (builds first), or `node bench/rules.bench.mjs`
// after `npm run build`. ROUNDS=… and RUNS=… override the defaults;
// KPID_DIST=/path/to/dist runs a frozen build instead of dist/ (A/B).
//
// Scenarios (each 10,000 `interface` series; every round is one poll of
// every series):
//   fan-out 1  : 1,000 rules, each series selected by exactly 1 rule
//   fan-out 10 : 1,000 rules, each series selected by 10 rules
//   defaults   : the shipped alert-rules/*.yaml, fed only the derived
//                *_ratio fields and no `monitored`: no interface rule
//                passes its field filter, so they measure little but the
//                series lookup (kept for comparison with earlier figures)
//   (the three above: 1,000 targets × 10 interfaces, 100 sites, 30 s polls)
//   collector feed : the shipped rules fed what the SNMP collector sends
//                every 10 s (snmp-interface-feed.mjs, as rules-memory.bench.mjs):
//                15 rules evaluate each sample. Issue 15's row is this one.
// bytes/series here is measured in the same process after the timed runs,
// whose array buffers are freed late and under-count it; the memory figure
// of record is rules-memory.bench.mjs (a fresh process per run).
// Anchor: the same loop through a sink that only keys and looks up the
// series (the floor any per-series rule engine pays).
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { fmt, median } from './lib.mjs';
import { interfacePoll, interfaceTags } from './snmp-interface-feed.mjs';

if (typeof globalThis.gc !== 'function') {
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const root = new URL('../', import.meta.url);
// KPID_DIST=/path/to/dist: a frozen build to compare with (A/B), while dist/ is rebuilt.
const dist = process.env.KPID_DIST ? pathToFileURL(resolve(process.env.KPID_DIST) + '/') : new URL('dist/', root);
const { parseRuleTexts, loadRuleFiles } = await import(new URL('rules/rule-files.js', dist));
const { createEngineState, evaluate, tick } = await import(new URL('rules/engine.js', dist));
const { seriesKey } = await import(new URL('core/sample.js', dist));

const TARGETS = 1000;
const IFACES = 10;
const SITES = 100;
const ROUNDS = Number(process.env.ROUNDS ?? 30);
const RUNS = Number(process.env.RUNS ?? 5);
const STEP = 30_000;
// Polls before timing: every 5-minute window full and rolling over (6 minutes).
const warmPolls = (step) => Math.ceil(360_000 / step);
const T0 = Date.UTC(2026, 0, 1);

const FIELDS = ['in_utilization', 'out_utilization', 'in_errors_ratio', 'out_errors_ratio', 'in_discards_ratio', 'out_discards_ratio'];
const AGGS = ['last', 'avg', 'max', 'p95', 'min'];

function syntheticRules(fanout) {
  // 1,000 rules. With fan-out F, rule i selects the targets whose index is i mod (1000/F), so every series is seen by F rules.
  const groups = TARGETS / fanout;
  const lines = ['groups:', '  - name: bench', '    rules:'];
  for (let i = 0; i < 1000; i++) {
    const agg = AGGS[i % AGGS.length];
    const field = FIELDS[Math.floor(i / groups) % FIELDS.length];
    lines.push(`      - alert: R${i}`,
      `        select: { measurement: interface, tags: { slot: "g${i % groups}" } }`,
      `        value: { field: ${field}${agg === 'last' ? '' : ', agg: ' + agg + ', over: 5m'} }`,
      `        when: "> 0.9"`, '        for: 5m',
      `        annotations: { summary: "{{ $labels.target }} {{ $labels.interface }} at {{ $value | percent }}" }`);
  }
  return parseRuleTexts([{ file: 'bench.yaml', text: lines.join('\n') + '\n' }]).rules;
}

function makeSeries(fanout) {
  const groups = TARGETS / fanout;
  const out = [];
  for (let t = 0; t < TARGETS; t++) {
    for (let k = 0; k < IFACES; k++) {
      out.push({ target: `r${t}`, site: `s${t % SITES}`, interface: `ge-0/0/${k}`, slot: `g${t % groups}` });
    }
  }
  return out;
}

/**
 * One poll of every series: 1 % stay over the line (their alerts fire and
 * stay firing), 2 % cross it this poll only (pending, then back: two
 * transitions each), the rest stay healthy.
 */
function roundSamples(series, round, time) {
  return series.map((tags, i) => {
    const base = ((i * 7919 + round * 104729) % 1000) / 1000;
    const hot = i % 100 === 0 || (i + round) % 50 === 0 ? 0.95 : base * 0.8;
    return {
      measurement: 'interface', tags, time,
      fields: {
        in_utilization: hot, out_utilization: base * 0.5, in_errors_ratio: base / 1000, out_errors_ratio: 0,
        in_discards_ratio: 0, out_discards_ratio: base / 2000, oper_up: 1, admin_up: 1,
      },
    };
  });
}

/** Samples per CPU-second (process.cpuUsage: one core, unaffected by other processes' load), in steady state. */
function measure(rules, series, pollOf, step) {
  const WARM = warmPolls(step);
  const batches = Array.from({ length: WARM + ROUNDS }, (_, r) => pollOf(series, r, T0 + r * step));
  const rates = [];
  let transitions = 0;
  for (let run = 0; run < RUNS; run++) {
    const state = createEngineState(rules);
    // Steady state: every series bound and every 5-minute window full before timing.
    for (let r = 0; r < WARM; r++) evaluate(state, batches[r], T0 + r * step);
    const c0 = process.cpuUsage();
    for (let r = WARM; r < WARM + ROUNDS; r++) {
      const now = T0 + r * step;
      while (state.nextDeadline <= now) transitions += tick(state, state.nextDeadline).transitions.length;
      // One poll arrives in batches of 1,000 samples, as collectors publish them.
      const batch = batches[r];
      for (let i = 0; i < batch.length; i += 1000) transitions += evaluate(state, batch.slice(i, i + 1000), now).transitions.length;
    }
    const c = process.cpuUsage(c0);
    rates.push((ROUNDS * series.length) / ((c.user + c.system) / 1e6));
    if (state.series.size !== series.length) throw new Error('not every series was bound');
  }
  return { rate: median(rates), transitions: transitions / RUNS };
}

/** Memory held by the engine state once every window is full. */
function memoryPerSeries(rules, series, pollOf, step) {
  // Windows are Float64Arrays, whose buffers may live outside the JS heap.
  const used = () => { const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
  globalThis.gc();
  const before = used();
  const state = createEngineState(rules);
  for (let r = 0; r < warmPolls(step); r++) evaluate(state, pollOf(series, r, T0 + r * step), T0 + r * step);
  globalThis.gc();
  const bytes = (used() - before) / series.length;
  if (state.series.size !== series.length) throw new Error('state was collected early');
  return bytes;
}

function anchor(series) {
  const batches = Array.from({ length: ROUNDS }, (_, r) => roundSamples(series, r, T0 + r * STEP));
  const rates = [];
  for (let run = 0; run < RUNS; run++) {
    const seen = new Map();
    const c0 = process.cpuUsage();
    for (const batch of batches) for (const s of batch) {
      const k = seriesKey(s);
      const v = seen.get(k);
      if (v === undefined) seen.set(k, [s.fields.in_utilization]);
      else v[0] = s.fields.in_utilization;
    }
    const c = process.cpuUsage(c0);
    rates.push((ROUNDS * series.length) / ((c.user + c.system) / 1e6));
  }
  return median(rates);
}

const defaults = loadRuleFiles(['alert-rules/*.yaml'], { baseDir: fileURLToPath(root) }).rules;
const interfaceRules = defaults.filter((r) => r.measurement === 'interface').length;
const scenarios = [
  ['1,000 rules, fan-out 1', syntheticRules(1), makeSeries(1), 1, roundSamples, STEP],
  ['1,000 rules, fan-out 10', syntheticRules(10), makeSeries(10), 10, roundSamples, STEP],
  [`default rules (${defaults.length}), *_ratio fields only, none evaluated`, defaults, makeSeries(1), 0, roundSamples, STEP],
  [`default rules, collector feed at 10 s, ${interfaceRules} per series`, defaults, interfaceTags(TARGETS * IFACES), interfaceRules, interfacePoll, 10_000],
];
const floor = anchor(makeSeries(1));
console.log(`${TARGETS * IFACES} series, ${ROUNDS} timed polls each, median of ${RUNS} runs, samples per CPU-second on one core (${process.version})`);
console.log(`anchor (series key + map lookup only): ${fmt(floor)} samples/s`);
console.log('| scenario | samples/s | rule evaluations/s | ratio to anchor | bytes/series | transitions/run |');
console.log('|---|---|---|---|---|---|');
for (const [name, rules, series, perSample, pollOf, step] of scenarios) {
  if (process.env.SCENARIO && !name.includes(process.env.SCENARIO)) continue;
  const m = measure(rules, series, pollOf, step);
  const bytes = memoryPerSeries(rules, series, pollOf, step);
  console.log(`| ${name} | ${fmt(m.rate)} | ${fmt(m.rate * perSample)} | ${fmt(m.rate / floor, 2)} | ${Math.round(bytes)} | ${m.transitions} |`);
}
