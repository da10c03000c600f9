// Test support for the rules stage: rules written inline, and a driver that runs the pure engine as the rule runner does.
import type { AlertTransition } from '../core/alert.js';
import type { Sample } from '../core/sample.js';
import { parseRuleTexts } from './rule-files.js';
import { createEngineState, evaluate, tick, type EngineState } from './engine.js';
import type { CompiledRule } from './rule.js';

/** Compiles rules written as the body of one group in a rule file. */
export function rulesFrom(yaml: string, kpis = {}): readonly CompiledRule[] {
  return parseRuleTexts([{ file: 'test.yaml', text: `groups:\n  - name: test\n    rules:\n${indent(yaml, 6)}` }], kpis).rules;
}

function indent(text: string, n: number): string {
  const lines = text.replace(/^\n+/, '').replace(/\s+$/, '').split('\n');
  const min = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => ' '.repeat(n) + l.slice(min)).join('\n') + '\n';
}

export const MIN = 60_000;
export const T0 = Date.UTC(2026, 0, 1);

/**
 * Drives the pure engine the way the runtime does: timers due before each
 * step fire first (at their own time), then the step's samples arrive.
 */
export class EngineDriver {
  readonly state: EngineState;
  readonly transitions: AlertTransition[] = [];
  now = T0;

  constructor(rules: readonly CompiledRule[]) {
    this.state = createEngineState(rules);
  }

  advanceTo(t: number): AlertTransition[] {
    const out: AlertTransition[] = [];
    while (this.state.nextDeadline <= t) {
      this.now = Math.max(this.now, this.state.nextDeadline);
      out.push(...tick(this.state, this.now).transitions);
    }
    this.now = Math.max(this.now, t);
    this.transitions.push(...out);
    return out;
  }

  feed(t: number, measurement: string, tags: Record<string, string>, fields: Record<string, number>): AlertTransition[] {
    const out = this.advanceTo(t);
    const sample: Sample = { measurement, tags, fields, time: t };
    const r = evaluate(this.state, [sample], t).transitions;
    this.transitions.push(...r);
    return [...out, ...r];
  }
}

export const arrows = (ts: readonly AlertTransition[]) => ts.map((t) => `${t.rule}:${t.from}->${t.to}`);

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;

/** Repeatable noise for synthetic series: uniform in [-1, 1), from a seed (mulberry32). */
export function seededNoise(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

/**
 * A trunk's calls in 5 minutes at time t, with a weekly pattern: busy
 * working days (up to 4,000 attempts), quiet nights and weekends (1,000),
 * and a drop rate that follows the load (0.2 % at night, 0.35 % at the
 * busy hour) but is 0.8 % all weekend (another traffic mix): a detector
 * that knew only the day's rhythm would page every Saturday. Plus `extra`,
 * with ±20 % noise on drops.
 */
export function weeklyCalls(t: number, noise: () => number, extra = 0): { call_attempts: number; calls_dropped: number } {
  const day = new Date(t).getUTCDay();
  const hour = new Date(t).getUTCHours() + new Date(t).getUTCMinutes() / 60;
  const weekend = day === 0 || day === 6;
  const busy = weekend ? 0 : Math.max(0, Math.sin((Math.PI * (hour - 7)) / 12));
  const attempts = Math.round(1000 + 3000 * busy);
  const rate = (weekend ? 0.008 : 0.002 + 0.0015 * busy) + extra;
  return { call_attempts: attempts, calls_dropped: Math.max(0, Math.round(attempts * rate * (1 + 0.2 * noise()))) };
}
