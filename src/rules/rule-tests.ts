import { dirname, resolve } from 'node:path';
import { ConfigError } from '../config/config-error.js';
import { loadRuleFiles, loadRuleTestFile } from './rule-files.js';
import type { RuleTestFile } from './rule-schema.js';
import { formatDuration } from '../core/duration.js';
import { errorMessage } from '../core/errors.js';
import type { Sample } from '../core/sample.js';
import type { AlertTransition } from '../core/alert.js';
import { activeEntries, createEngineState, evaluate, tick, type EngineState } from './engine.js';
import { alertLabels, transition } from './series-alert.js';
import type { CompiledRule } from './rule.js';
import { expandSeries } from './series-notation.js';

export interface RuleTestOptions {
  /** Called with each test's outcome as it finishes (the CLI prints it). */
  readonly onResult?: (r: { file: string; test: string; ok: boolean; messages: string[] }) => void;
}

export interface RuleTestSummary {
  readonly passed: number;
  readonly failed: number;
  /** One line per failure (or per file that could not be loaded). */
  readonly messages: string[];
}

const DEFAULT_START = Date.UTC(2026, 0, 1);

/**
 * `kpid test-rules FILE...`: runs rule unit tests the way
 * `promtool test rules` does. Each test replays its input series through the
 * real engine on a simulated clock (timers for `for`, `no_data` and
 * `clear.for` fire at their own times) and compares the firing alerts at
 * each eval_time with the expected ones.
 */
export async function runRuleTests(files: readonly string[], opts: RuleTestOptions = {}): Promise<RuleTestSummary> {
  let passed = 0;
  let failed = 0;
  const messages: string[] = [];
  for (const file of files) {
    let spec: RuleTestFile;
    let rules: readonly CompiledRule[];
    try {
      spec = loadRuleTestFile(file);
      rules = loadRuleFiles(spec.rule_files, { baseDir: dirname(resolve(file)), kpis: spec.kpis ?? {} }).rules;
    } catch (err) {
      failed++;
      messages.push(...(err instanceof ConfigError ? err.message.split('\n') : [`${file}: ${errorMessage(err)}`]));
      opts.onResult?.({ file, test: '(load)', ok: false, messages: messages.slice(-1) });
      continue;
    }
    for (const test of spec.tests) {
      const problems = runOne(test, spec.evaluation_interval, rules).map((m) => `${file}: ${test.name}: ${m}`);
      if (problems.length) {
        failed++;
        messages.push(...problems);
      } else passed++;
      opts.onResult?.({ file, test: test.name, ok: problems.length === 0, messages: problems });
    }
  }
  return { passed, failed, messages };
}

type Test = RuleTestFile['tests'][number];

function runOne(test: Test, defaultInterval: number, rules: readonly CompiledRule[]): string[] {
  const start = test.start ? Date.parse(test.start) : DEFAULT_START;
  const interval = test.interval ?? defaultInterval;
  const problems: string[] = [];
  const byTime = new Map<number, Sample[]>();
  for (const series of test.input_series) {
    const columns = Object.entries(series.fields).map(([field, text]) => [field, expandSeries(text)] as const);
    const steps = Math.max(0, ...columns.map(([, v]) => (typeof v === 'string' ? 0 : v.length)));
    for (const [field, v] of columns) if (typeof v === 'string') problems.push(`field ${field}: ${v}`);
    for (let i = 0; i < steps; i++) {
      const fields: Record<string, number> = {};
      for (const [field, v] of columns) {
        const x = typeof v === 'string' ? undefined : v[i];
        if (x !== undefined) fields[field] = x;
      }
      if (Object.keys(fields).length === 0) continue;
      const time = start + i * interval;
      const list = byTime.get(time) ?? [];
      list.push({ measurement: series.measurement, tags: series.tags, fields, time });
      byTime.set(time, list);
    }
  }
  if (problems.length) return problems;
  const checks = [...test.alert_rule_test].sort((a, b) => a.eval_time - b.eval_time);
  const times = [...new Set([...byTime.keys(), ...checks.map((c) => start + c.eval_time)])].sort((a, b) => a - b);
  const state = createEngineState(rules);
  const fired = new Map<string, number>();
  const count = (ts: readonly AlertTransition[]) => {
    for (const x of ts) if (x.to === 'firing') fired.set(x.rule, (fired.get(x.rule) ?? 0) + 1);
  };
  for (const t of times) {
    count(runTimers(state, t));
    const samples = byTime.get(t);
    if (samples) count(evaluate(state, samples, t).transitions);
    for (const c of checks.filter((x) => start + x.eval_time === t)) problems.push(...check(state, c, t));
  }
  // Timers left at the end of the test (a pending alert's for:) still count.
  if (test.firings.length) count(runTimers(state, times.at(-1) ?? start));
  for (const f of test.firings) {
    if (!rules.some((r) => r.name === f.alertname)) {
      problems.push(`firings: no rule named "${f.alertname}"`);
      continue;
    }
    const n = fired.get(f.alertname) ?? 0;
    if (f.exactly !== undefined && n !== f.exactly) problems.push(`firings: ${f.alertname} fired ${n} times; expected exactly ${f.exactly}`);
    if (f.at_most !== undefined && n > f.at_most) problems.push(`firings: ${f.alertname} fired ${n} times; expected at most ${f.at_most}`);
  }
  return problems;
}

function runTimers(state: EngineState, until: number): AlertTransition[] {
  const out: AlertTransition[] = [];
  while (state.nextDeadline <= until) out.push(...tick(state, state.nextDeadline).transitions);
  return out;
}

function check(state: EngineState, c: Test['alert_rule_test'][number], now: number): string[] {
  if (!state.rules.some((r) => r.name === c.alertname)) return [`at ${formatDuration(c.eval_time)}: no rule named "${c.alertname}"`];
  const firing = activeEntries(state)
    .filter((e) => e.rule.name === c.alertname && e.state === 'firing')
    .map((e) => ({ labels: alertLabels(e), annotations: transition(e, e.state, e.state, now, 'threshold').annotations }));
  const unmatched = [...firing];
  const missing: string[] = [];
  for (const exp of c.exp_alerts) {
    const i = unmatched.findIndex((a) => subset(exp.exp_labels, a.labels) && subset(exp.exp_annotations, a.annotations));
    if (i < 0) missing.push(JSON.stringify({ labels: exp.exp_labels, annotations: exp.exp_annotations }));
    else unmatched.splice(i, 1);
  }
  const out: string[] = [];
  const at = `at ${formatDuration(c.eval_time)}: ${c.alertname}`;
  if (missing.length) out.push(`${at}: expected firing but not found: ${missing.join(', ')}; firing: ${describe(firing)}`);
  if (unmatched.length) out.push(`${at}: firing but not expected: ${describe(unmatched)}`);
  return out;
}

function subset(want: Readonly<Record<string, string>>, got: Readonly<Record<string, string>>): boolean {
  return Object.entries(want).every(([k, v]) => got[k] === v);
}

function describe(alerts: readonly { labels: Readonly<Record<string, string>>; annotations: Readonly<Record<string, string>> }[]): string {
  return alerts.length ? alerts.map((a) => JSON.stringify({ labels: a.labels, annotations: a.annotations })).join(', ') : '(none)';
}
