import type { AlertState, AlertTransition } from '../core/alert.js';
import { holds } from '../core/comparison.js';
import type { EngineState } from './engine-state.js';
import { alertLabels, transition, type SeriesAlert } from './series-alert.js';
import { evidenceSince } from './window.js';
import type { CompiledRule } from './rule.js';

/**
 * The alert state machine of one entry (one rule on one series), in
 * Prometheus' terms; the module comment of engine.ts states the rules.
 * Every function here changes only the entry and the engine's indexes of
 * firing and timed entries.
 */
// No closure in here: a function that makes one allocates the context the
// closure would capture at every call, fired or not. An arrow passed to
// evidenceSince cost 45 bytes per entry and sample, most of the engine's
// garbage (bench/rules.bench.mjs, sampling heap profile).
export function onValue(state: EngineState, e: SeriesAlert, value: number, t: number, now: number, out: AlertTransition[]): void {
  const rule = e.rule;
  const wasNoData = e.noData;
  e.noData = false;
  // No value (a ratio over too little traffic): no evidence either way, so
  // the alert keeps its state, but the series is not silent, and its KPI
  // reading (kpid_kpi_value) is absent rather than stale.
  if (Number.isNaN(value)) {
    e.value = NaN;
    if (wasNoData && e.state === 'firing') to(state, e, 'resolved', now, 'no_data', out, t);
    return;
  }
  e.value = value;
  const fire = holds(rule.fire, value);
  e.fireHolds = fire;
  switch (e.state) {
    case 'inactive':
    case 'resolved':
      if (!fire || suppressed(state, e)) return;
      e.activeAt = t;
      e.crossedAt = t;
      e.evidenceSince = evidenceSince(e.window, rule.fire, t);
      if (rule.forMs === 0 || now - t >= rule.forMs) to(state, e, 'firing', now, 'threshold', out);
      else {
        to(state, e, 'pending', now, 'threshold', out);
        watch(state, e, t + rule.forMs);
      }
      return;
    case 'pending':
      if (!fire) to(state, e, 'inactive', now, 'threshold', out);
      else if (now >= e.activeAt + rule.forMs) to(state, e, suppressed(state, e) ? 'inactive' : 'firing', now, 'threshold', out);
      return;
    case 'firing': {
      if (wasNoData && !fire) {
        to(state, e, 'resolved', now, 'no_data', out, t);
        return;
      }
      const clear = rule.clear ? holds(rule.clear, value) : !fire;
      if (!clear) {
        e.clearSince = NaN;
        return;
      }
      if (Number.isNaN(e.clearSince)) e.clearSince = t;
      if (now >= e.clearSince + resolveAfter(rule)) to(state, e, 'resolved', now, 'threshold', out);
      else watch(state, e, e.clearSince + resolveAfter(rule));
      return;
    }
  }
}

export function to(
  state: EngineState, e: SeriesAlert, next: AlertState, now: number,
  reason: NonNullable<AlertTransition['reason']>, out: AlertTransition[], clearedAt?: number,
): void {
  const from = e.state;
  if (from === next) return;
  if (next === 'resolved' && clearedAt !== undefined && Number.isNaN(e.clearSince)) e.clearSince = clearedAt;
  e.state = next;
  if (from === 'firing') state.firing.get(e.rule.name)?.delete(e);
  if (next === 'firing') firingSet(state, e.rule.name).add(e);
  out.push(transition(e, from, next, now, reason));
  if (next !== 'firing') e.clearSince = NaN;
  if (next === 'inactive' || next === 'resolved') {
    e.clockShift = 0;
    e.activeAt = NaN;
    e.crossedAt = NaN;
    e.evidenceSince = NaN;
  }
  e.deadline = deadlineOf(e);
}

export function resolveAfter(rule: CompiledRule): number {
  return Math.max(rule.clearForMs, rule.keepFiringForMs);
}

export function deadlineOf(e: SeriesAlert): number {
  const rule = e.rule;
  let d = Infinity;
  if (e.state === 'pending') d = e.activeAt + rule.forMs;
  else if (e.state === 'firing' && !Number.isNaN(e.clearSince)) d = e.clearSince + resolveAfter(rule);
  if (rule.noDataMs > 0 && !e.noData && !Number.isNaN(e.lastSeen)) d = Math.min(d, e.lastSeen + rule.noDataMs);
  return d;
}

export function watch(state: EngineState, e: SeriesAlert, deadline: number): void {
  e.deadline = deadline;
  state.timed.add(e);
  if (deadline < state.nextDeadline) state.nextDeadline = deadline;
}

export function firingSet(state: EngineState, rule: string): Set<SeriesAlert> {
  let set = state.firing.get(rule);
  if (!set) state.firing.set(rule, (set = new Set()));
  return set;
}

/** A firing parent whose `on` labels equal this entry's suppresses its creation. */
export function suppressed(state: EngineState, e: SeriesAlert): boolean {
  const dep = e.rule.dependsOn;
  if (!dep) return false;
  const parents = state.firing.get(dep.alert);
  if (!parents || parents.size === 0) return false;
  const mine = alertLabels(e);
  for (const p of parents) {
    const theirs = alertLabels(p);
    if (dep.on.every((k) => theirs[k] === mine[k])) return true;
  }
  return false;
}

