import type { AlertState, AlertTransition } from '../core/alert.js';
import { seriesKey, type Sample } from '../core/sample.js';
import { entryAt, entryOf, entryPlan, numbersFor, quietValue, type SeriesAlert } from './series-alert.js';
import { Feed, type EngineState, type SeriesFeeds } from './engine-state.js';
import { deadlineOf, firingSet, onValue, resolveAfter, suppressed, to, watch } from './lifecycle.js';
import type { CompiledRule } from './rule.js';
import { aggregate } from './window.js';
import { Ring } from './ring.js';
import { takeSample } from './take-sample.js';
import { readPlan } from './read-plan.js';
import { modelValue, newModel } from './model.js';

/**
 * The rule engine: (state, samples, now) → (state, transitions), with no
 * I/O and no timers of its own. The caller (rule-runner.ts) asks for
 * `nextDeadline` and calls `tick` then, so `for`, `keep_firing_for`,
 * `clear.for` and `no_data` fire on its clock.
 *
 * For speed the state is updated in place and returned: at 500k samples/s
 * copying windows is not an option. Nothing else holds a reference to it.
 *
 * Lifecycle (Prometheus semantics): inactive → pending when the condition
 * first holds; pending → firing once it has held for `for` (straight to
 * firing when `for` is 0); pending → inactive if it stops holding; firing →
 * resolved once the clear condition (the clear threshold, or else the
 * condition failing) has held for max(clear.for, keep_firing_for).
 * A value between the firing and clear thresholds keeps a firing alert
 * firing: that is the hysteresis band.
 */
export type { EngineState, Feed, SeriesFeeds } from './engine-state.js';

export interface Evaluation {
  readonly state: EngineState;
  readonly transitions: AlertTransition[];
}

export function createEngineState(rules: readonly CompiledRule[]): EngineState {
  const byMeasurement = new Map<string, CompiledRule[]>();
  for (const r of rules) {
    const list = byMeasurement.get(r.measurement) ?? [];
    list.push(r);
    byMeasurement.set(r.measurement, list);
  }
  return { rules, byMeasurement, series: new Map(), byTags: new WeakMap(), timed: new Set(), firing: new Map(), plans: new Map(), entryPlans: new Map(), nextDeadline: Infinity };
}

/**
 * Feeds samples through the rules that select them. Their series live
 * `lifetime` ms past `now` without another sample; silent-series.ts
 * forgets them after that.
 */
export function evaluate(state: EngineState, samples: readonly Sample[], now: number, lifetime = Infinity): Evaluation {
  const out: AlertTransition[] = [];
  for (const sample of samples) {
    const rules = state.byMeasurement.get(sample.measurement);
    if (!rules) continue;
    const series = seriesFor(state, sample, rules);
    series.expiresAt = now + lifetime;
    const feeds = series.feeds;
    const time = sample.time;
    // A sample stamped ahead of our clock (a pusher's skew) counts as now.
    const t = time < now ? time : now;
    const took = takeSample(series, sample.fields, time);
    const { rules: watching, from } = series.entries;
    for (let i = 0; i < feeds.length; i++) {
      if (!took[i]) continue;
      const feed = feeds[i]!;
      let value = aggregate(feed, feed.agg, feed.overMs, feed.samples, feed.minVolume);
      if (feed.model !== undefined) value = modelValue(feed.model, feed.rule, time, value);
      for (let k = from[i]!; k < from[i + 1]!; k++) {
        // Most entries stay inactive on a value that does not fire: their numbers are all that changes.
        const kept = series.alerts?.[k];
        if (kept === undefined && quietValue(series, k, watching[k]!, value, time)) continue;
        const e = kept ?? entryOf(series, k);
        e.lastSeen = time;
        onValue(state, e, value, t, now, out);
        if (e.rule.noDataMs > 0) watch(state, e, deadlineOf(e));
      }
    }
  }
  return { state, transitions: out };
}

/**
 * The bound series of a sample, found by its tags object when that object
 * bound it: collectors send one per series for as long as its tags stay the
 * same (device-poll.ts), and Sample.tags is read-only. Building and hashing
 * the key string of every sample was a third of evaluate's time and most of
 * its garbage (bench/rules-memory.bench.mjs). Only the binding object is
 * remembered: a sender that builds new tags at every sample would otherwise
 * add a WeakMap entry per sample, which halved its throughput.
 */
function seriesFor(state: EngineState, sample: Sample, rules: readonly CompiledRule[]): SeriesFeeds {
  const known = state.byTags.get(sample.tags);
  if (known !== undefined && known.measurement === sample.measurement && !known.dropped) return known;
  const key = seriesKey(sample);
  const bound = state.series.get(key);
  if (bound) return bound;
  const series = bind(state, key, sample.measurement, sample.tags, rules);
  state.byTags.set(sample.tags, series);
  return series;
}

/** Applies every timer due at `now`: `for` elapsed, clear held long enough, series silent. */
export function tick(state: EngineState, now: number): Evaluation {
  const out: AlertTransition[] = [];
  let next = Infinity;
  for (const e of state.timed) {
    const rule = e.rule;
    if (e.state === 'pending' && now >= e.activeAt + rule.forMs) {
      if (suppressed(state, e)) to(state, e, 'inactive', now, 'suppressed', out);
      else to(state, e, 'firing', now, 'threshold', out);
    } else if (e.state === 'firing' && !Number.isNaN(e.clearSince) && now >= e.clearSince + resolveAfter(rule)) {
      to(state, e, 'resolved', now, 'threshold', out);
    }
    if (rule.noDataMs > 0 && !e.noData && now >= e.lastSeen + rule.noDataMs) {
      e.noData = true;
      e.value = NaN;
      if (e.state !== 'firing' && !suppressed(state, e)) {
        e.activeAt = e.lastSeen + rule.noDataMs;
        e.crossedAt = e.activeAt;
        to(state, e, 'firing', now, 'no_data', out);
      }
    }
    const d = deadlineOf(e);
    e.deadline = d;
    if (d === Infinity && rule.noDataMs === 0) state.timed.delete(e);
    else if (d < next) next = d;
  }
  state.nextDeadline = next;
  return { state, transitions: out };
}

/**
 * Puts back an alert that was pending or firing before a restart, so it is
 * not announced again. The entry's window starts empty.
 */
export function restoreAlert(
  state: EngineState, rule: string, series: string,
  alert: { state: AlertState; activeAt: number; crossedAt: number },
  /** Epoch ms the series is kept until without a sample (default: for ever). */
  keepUntil = Infinity,
): boolean {
  const compiled = state.rules.find((r) => r.name === rule);
  if (!compiled || (alert.state !== 'firing' && alert.state !== 'pending')) return false;
  const bound = seriesOf(state, series);
  if (keepUntil > bound.expiresAt) bound.expiresAt = keepUntil;
  const k = bound.entries.rules.indexOf(compiled);
  if (k < 0) return false;
  const e = entryOf(bound, k);
  e.state = alert.state;
  e.activeAt = alert.activeAt;
  e.crossedAt = alert.crossedAt;
  e.fireHolds = true;
  e.lastSeen = Math.max(alert.activeAt, 0);
  if (alert.state === 'firing') firingSet(state, rule).add(e);
  watch(state, e, deadlineOf(e));
  return true;
}

/** The feeds of a series, bound to its rules from its key if no sample of it has arrived yet. */
export function feedsOf(state: EngineState, series: string): Feed[] {
  return seriesOf(state, series).feeds;
}

function seriesOf(state: EngineState, series: string): SeriesFeeds {
  let bound = state.series.get(series);
  if (!bound) {
    const [measurement, ...parts] = series.split(',');
    // The series key is measurement,tag=value,... (core/sample.ts seriesKey).
    const tags: Record<string, string> = {};
    for (const part of parts) {
      const eq = part.indexOf('=');
      tags[part.slice(0, eq)] = part.slice(eq + 1);
    }
    bound = bind(state, series, measurement!, tags, state.byMeasurement.get(measurement!) ?? []);
  }
  return bound;
}

/**
 * Drops every series whose tags `gone` selects, with no transitions: a
 * cluster handover moved its target to another instance, which carries its
 * alerts on from the store. Nothing of it is evaluated or timed here again.
 */
export function forgetSeries(state: EngineState, gone: (tags: Readonly<Record<string, string>>) => boolean): void {
  for (const [key, series] of state.series) {
    if (series.entries.rules.length === 0 || !gone(series.tags)) continue;
    dropSeries(state, key);
  }
}

/** Removes a series and its entries from every index, with no transitions. */
export function dropSeries(state: EngineState, key: string): void {
  const series = state.series.get(key);
  if (!series) return;
  // Only an entry kept as an object can be in an index.
  for (const e of series.alerts ?? []) {
    if (e === undefined) continue;
    state.timed.delete(e);
    state.firing.get(e.rule.name)?.delete(e);
  }
  series.dropped = true;
  state.series.delete(key);
}

/** Alerts now pending or firing, for the API and for tests. */
export function activeEntries(state: EngineState): SeriesAlert[] {
  const out: SeriesAlert[] = [];
  // An entry that is pending or firing is kept as an object.
  for (const { alerts } of state.series.values()) {
    for (const e of alerts ?? []) if (e !== undefined && (e.state === 'pending' || e.state === 'firing')) out.push(e);
  }
  return out;
}

/** Every entry of every series, for readers such as the KPI gauges. */
export function* allEntries(state: EngineState): Generator<SeriesAlert> {
  for (const series of state.series.values()) for (let k = 0; k < series.entries.rules.length; k++) yield entryAt(series, k);
}

function bind(state: EngineState, key: string, measurement: string, tags: Readonly<Record<string, string>>, rules: readonly CompiledRule[]): SeriesFeeds {
  // The key arrives as a rope of a dozen small strings (seriesKey
  // concatenates); kept as it is, the rope costs ~1 KiB a series.
  key = flat(key);
  // The places of the selected rules in the measurement's rules, which with the feeds say which rule each entry watches.
  const places: number[] = [];
  for (let i = 0; i < rules.length; i++) if (rules[i]!.matchers.every((m) => m.test(tags))) places.push(i);
  const selected = places.map((i) => rules[i]!);
  const byFeed = new Map<string, number[]>();
  for (let i = 0; i < selected.length; i++) {
    const rule = selected[i]!;
    const filters = rule.fieldFilters.map((f) => `${f.field}${f.when.op}${f.when.value}`).join('&');
    const own = rule.trend || rule.baseline ? `/#${rule.index}` : '';
    const id = `${rule.field}/${rule.denominator ?? ''}/${rule.agg}/${rule.overMs}/${rule.samples}/${rule.minVolume}/${filters}${own}`;
    const group = byFeed.get(id);
    if (group) group.push(i);
    else byFeed.set(id, [i]);
  }
  const groups = [...byFeed.values()];
  const feeds = groups.map((group, slot) => {
    const rule = selected[group[0]!]!;
    return new Feed(rule, newModel(rule), slot);
  });
  const planId = [...byFeed.keys()].join('|');
  let plan = state.plans.get(planId);
  if (plan === undefined) state.plans.set(planId, (plan = readPlan(feeds)));
  const entriesId = `${measurement}#${groups.map((g) => g.map((i) => places[i]).join(',')).join('|')}`;
  let entries = state.entryPlans.get(entriesId);
  if (entries === undefined) state.entryPlans.set(entriesId, (entries = entryPlan(groups.map((g) => g.map((i) => selected[i]!)), 2 * feeds.length)));
  const series: SeriesFeeds = {
    key, measurement, tags, feeds, rings: ringsOf(feeds), plan, entries, alerts: undefined,
    numbers: numbersFor(entries), expiresAt: -Infinity, dropped: false,
  };
  for (const feed of feeds) feed.series = series;
  state.series.set(key, series);
  return series;
}

/**
 * One ring for the windows of the same span (ring.ts), with a column per
 * field they read: the interface's four 5-minute ratio windows share their
 * time column, and the two that divide by in_packets (or out_packets) the
 * packet column.
 */
function ringsOf(feeds: readonly Feed[]): Ring[] {
  const spans = new Map<string, Feed[]>();
  for (const f of feeds) {
    if (f.samples === 1) continue;
    const span = `${f.overMs}/${f.samples}`;
    const same = spans.get(span);
    if (same) same.push(f);
    else spans.set(span, [f]);
  }
  const rings: Ring[] = [];
  for (const windows of spans.values()) {
    // Column 0 holds the times.
    const columns = new Map<string, number>();
    const column = (field: string): number => {
      let c = columns.get(field);
      if (c === undefined) columns.set(field, (c = columns.size + 1));
      return c;
    };
    for (const w of windows) {
      w.num = column(w.field);
      w.den = w.denominator === undefined ? -1 : column(w.denominator);
    }
    const ring = new Ring(columns.size + 1, windows[0]!.overMs, windows[0]!.samples, windows.slice());
    for (const w of windows) w.ring = ring;
    rings.push(ring);
  }
  return rings;
}

/** `s` as one flat string: converting it to a number flattens it in place (V8), and the pieces can go. */
function flat(s: string): string {
  void Number(s);
  return s;
}
