// Rule engine memory at 10,000 polled interfaces (issue 15): heap bytes per
// series the engine keeps with the shipped rules once every window is full,
// fed what the SNMP collector sends per interface every 10 s.
// `npm run build && node bench/rules-memory.bench.mjs`. RUNS=… (default 3),
// KPID_DIST=… a frozen build (A/B). Memory runs each in a fresh process. SNAPSHOT=1 adds a heap snapshot breakdown (1,000 series, by object kind).
//
// The samples (snmp-interface-feed.mjs) carry every field interface rules
// read (the ratio rules' 5-minute windows: 30 values at 10 s). Tags are one
// object per interface reused between polls, as device-poll.ts does, so they
// are counted once, as in the daemon.
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { fmt, median } from './lib.mjs';
import { interfacePoll, interfaceTags } from './snmp-interface-feed.mjs';

if (typeof globalThis.gc !== 'function') {
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const root = new URL('../', import.meta.url);
// KPID_DIST=/path/to/dist: a frozen build to compare with (A/B), while dist/ is rebuilt.
const dist = process.env.KPID_DIST ? pathToFileURL(resolve(process.env.KPID_DIST) + '/') : new URL('dist/', root);
const { loadRuleFiles } = await import(new URL('rules/rule-files.js', dist));
const { createEngineState, evaluate, tick } = await import(new URL('rules/engine.js', dist));

const INTERFACES = 10_000;
const STEP = 10_000;
// 5-minute windows at 10 s hold 30 values; 36 polls fill them and roll them over.
const POLLS = 36;
const RUNS = Number(process.env.RUNS ?? 3);
const T0 = Date.UTC(2026, 0, 1);

/** One poll of every interface, `round` polls from T0. */
const poll = (tags, round) => interfacePoll(tags, round, T0 + round * STEP);

const rules = loadRuleFiles(['alert-rules/*.yaml'], { baseDir: fileURLToPath(root) }).rules;
const used = () => { const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };

/** Feeds `polls` polls of `tags` as the rule runner does (tick when due, batches of 1,000); returns the state. */
function feed(tags, polls, batches) {
  const state = createEngineState(rules);
  for (let r = 0; r < polls; r++) {
    const now = T0 + r * STEP;
    while (state.nextDeadline <= now) tick(state, state.nextDeadline);
    const b = batches ? batches[r] : poll(tags, r);
    for (let i = 0; i < b.length; i += 1000) evaluate(state, b.slice(i, i + 1000), now);
  }
  return state;
}

/**
 * A full GC, then time for V8 to free the backing stores of the array
 * buffers it collected (it does so off the main thread, after gc() returns:
 * a ring that grew leaves its old buffer behind, counted until then), then
 * another GC.
 */
async function settle() {
  globalThis.gc();
  await new Promise((r) => setTimeout(r, 200));
  globalThis.gc();
}

async function bytesPerSeries(tags) {
  await settle();
  const before = used();
  const state = feed(tags, POLLS);
  await settle();
  const bytes = (used() - before) / tags.length;
  if (state.series.size !== tags.length) throw new Error('not every series was bound');
  return bytes;
}

/** Samples per CPU-second once windows are full (timed: the last 12 polls). */
function throughput(tags) {
  const batches = Array.from({ length: POLLS }, (_, r) => poll(tags, r));
  const warm = POLLS - 12;
  const state = feed(tags, warm, batches);
  const c0 = process.cpuUsage();
  for (let r = warm; r < POLLS; r++) {
    const now = T0 + r * STEP;
    while (state.nextDeadline <= now) tick(state, state.nextDeadline);
    for (let i = 0; i < batches[r].length; i += 1000) evaluate(state, batches[r].slice(i, i + 1000), now);
  }
  const c = process.cpuUsage(c0);
  return (12 * tags.length) / ((c.user + c.system) / 1e6);
}

/** Self size by object kind (V8 node type and constructor name) that the state adds, per series. */
function breakdown(n) {
  const tally = () => {
    const file = writeHeapSnapshot(join(tmpdir(), `rules-memory-${process.pid}.heapsnapshot`));
    const snap = JSON.parse(readFileSync(file, 'utf8'));
    rmSync(file);
    const f = snap.snapshot.meta.node_fields;
    const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((k) => f.indexOf(k));
    const types = snap.snapshot.meta.node_types[0];
    const out = new Map();
    for (let i = 0; i < snap.nodes.length; i += f.length) {
      const type = types[snap.nodes[i + typeAt]];
      const name = type === 'string' || type === 'concatenated string' || type === 'sliced string' ? '(string)' : snap.strings[snap.nodes[i + nameAt]];
      const key = `${type} ${name}`;
      const e = out.get(key) ?? { count: 0, bytes: 0 };
      e.count++;
      e.bytes += snap.nodes[i + sizeAt];
      out.set(key, e);
    }
    return out;
  };
  const tags = interfaceTags(n);
  const before = tally();
  const state = feed(tags, POLLS);
  const after = tally();
  const rows = [];
  for (const [k, a] of after) {
    const b = before.get(k) ?? { count: 0, bytes: 0 };
    if (a.bytes - b.bytes > n * 4) rows.push([k, (a.count - b.count) / n, (a.bytes - b.bytes) / n]);
  }
  rows.sort((x, y) => y[2] - x[2]);
  console.log(`\nheap snapshot, ${n} series (${state.series.size} bound): what the state adds per series, by object kind`);
  console.log('| kind | objects/series | bytes/series |\n|---|---|---|');
  for (const [k, c, b] of rows.slice(0, 20)) console.log(`| ${k} | ${fmt(c, 3)} | ${Math.round(b)} |`);
}

const tags = interfaceTags(INTERFACES);
if (process.env.RULES_MEMORY_CHILD) {
  console.log(JSON.stringify(await bytesPerSeries(tags)));
  process.exit(0);
}
// Each memory run in a fresh process: array buffers of a collected state
// are freed some time after gc() returns, and would count against the next run.
const bytes = [];
const rates = [];
for (let run = 0; run < RUNS; run++) {
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url)], { env: { ...process.env, RULES_MEMORY_CHILD: '1' }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  bytes.push(Number(r.stdout.trim()));
  rates.push(throughput(tags));
}
const interfaceRules = rules.filter((r) => r.measurement === 'interface').length;
console.log(`${INTERFACES} interface series, ${interfaceRules} of ${rules.length} shipped rules each, ${POLLS} polls 10 s apart, median of ${RUNS} runs (${process.version})`);
console.log(`bytes/series (heap + array buffers after gc): ${Math.round(median(bytes))} [${bytes.map(Math.round).join(', ')}]`);
console.log(`engine state at ${INTERFACES}: ${fmt((median(bytes) * INTERFACES) / 2 ** 20)} MiB`);
console.log(`samples/s (one core, CPU time): ${fmt(median(rates))} [${rates.map((r) => fmt(r)).join(', ')}]`);
if (process.env.SNAPSHOT) breakdown(1_000);
