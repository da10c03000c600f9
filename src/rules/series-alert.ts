import { createHash } from 'node:crypto';
import type { AlertState, AlertTransition } from '../core/alert.js';
import type { CompiledRule } from './rule.js';
import type { Window } from './window.js';
import { modelFigures, type RuleModel } from './model.js';
import { holds } from '../core/comparison.js';

/**
 * What the engine knows about one rule watching one series: its window and
 * where its alert stands. Times are epoch ms; NaN means "not set".
 *
 * An entry's value and last-seen time live in its series' Float64Array
 * (`numbersFor`), and which rule and window it is in the
 * series' entry plan, shared by every series of the same rules: most
 * entries never leave inactive, and an object each (72 bytes) and a list of
 * them per feed were 1.6 KiB per interface (bench/rules-memory). This class
 * is a view of those numbers. A series keeps the view of an entry
 * (`entryOf`, EntrySeries.alerts) once anything holds it by identity or it
 * has more to remember: from its first firing value, timer, transition or
 * restore. Its state, flags and deadline are fields of that object: an
 * entry without one is inactive, not silent, and not timed, so it needs
 * none (2 numbers an entry in the buffer; main kept 3). The times of an alert (active,
 * crossed, cleared, clock shift) and its labels exist only once it has
 * been pending or firing (`Alerting`).
 */
export class SeriesAlert {
  /** Built at the entry's first transition (or a restore): its labels, fingerprint and alert times. */
  private alerting: Alerting | undefined = undefined;

  constructor(
    readonly rule: CompiledRule,
    /** Shared with the other rules that aggregate this series the same way; it holds their model, and knows its series. */
    readonly window: EntryWindow,
    /** Where this entry's numbers start in its series' numbers. */
    private readonly at: number,
  ) {}

  private get n(): Float64Array { return this.window.series.numbers; }
  /** state (2 bits), fireHolds, noData: one small integer instead of three fields. */
  private flags = 0;
  /** The next time a timer may change this entry; Infinity for none. */
  deadline = Infinity;

  get state(): AlertState { return STATES[this.flags & 3]!; }
  set state(v: AlertState) { this.flags = (this.flags & ~3) | STATES.indexOf(v); }
  /** Whether the firing condition held at the last evaluation. */
  get fireHolds(): boolean { return (this.flags & FIRE_HOLDS) !== 0; }
  set fireHolds(v: boolean) { this.flags = v ? this.flags | FIRE_HOLDS : this.flags & ~FIRE_HOLDS; }
  /** Firing because the series went silent, not because of a value. */
  get noData(): boolean { return (this.flags & NO_DATA) !== 0; }
  set noData(v: boolean) { this.flags = v ? this.flags | NO_DATA : this.flags & ~NO_DATA; }
  /** Key of its series (core/sample.ts seriesKey). */
  get series(): string { return this.window.series.key; }
  get tags(): Readonly<Record<string, string>> { return this.window.series.tags; }
  /** A trend or baseline rule's memory (model.ts); undefined for the others. */
  get model(): RuleModel | undefined { return this.window.model; }
  get labels(): Readonly<Record<string, string>> | undefined { return this.alerting?.labels; }
  set labels(v: Readonly<Record<string, string>> | undefined) { this.more().labels = v; }
  get fingerprint(): string | undefined { return this.alerting?.fingerprint; }
  set fingerprint(v: string | undefined) { this.more().fingerprint = v; }

  /** Last aggregated value (NaN when the window had none). */
  get value(): number { return this.n[this.at + VALUE]!; }
  set value(v: number) { this.n[this.at + VALUE] = v; }
  get lastSeen(): number { return this.n[this.at + LAST_SEEN]!; }
  set lastSeen(v: number) { this.n[this.at + LAST_SEEN] = v; }
  /** When the firing condition began to hold (pending since). */
  get activeAt(): number { return this.alerting ? this.alerting.activeAt : NaN; }
  set activeAt(v: number) { if (this.alerting || !Number.isNaN(v)) this.more().activeAt = v; }
  /** Time of the sample that crossed the threshold. */
  get crossedAt(): number { return this.alerting ? this.alerting.crossedAt : NaN; }
  set crossedAt(v: number) { if (this.alerting || !Number.isNaN(v)) this.more().crossedAt = v; }
  /** Oldest sample of the run of samples that each met the condition: when the interruption began. */
  get evidenceSince(): number { return this.alerting ? this.alerting.evidenceSince : NaN; }
  set evidenceSince(v: number) { if (this.alerting || !Number.isNaN(v)) this.more().evidenceSince = v; }
  /** When the clear condition began to hold while firing. */
  get clearSince(): number { return this.alerting ? this.alerting.clearSince : NaN; }
  set clearSince(v: number) { if (this.alerting || !Number.isNaN(v)) this.more().clearSince = v; }
  /** Wall clock jumps (ms, summed) since it fired: its activeAt stays as announced (clock-step.ts). */
  get clockShift(): number { return this.alerting ? this.alerting.clockShift : 0; }
  set clockShift(v: number) { if (this.alerting || v !== 0) this.more().clockShift = v; }

  private more(): Alerting {
    return (this.alerting ??= new Alerting());
  }
}

/** An entry's window (engine-state.ts Feed): its model, and its series. */
export type EntryWindow = Window & { readonly model: RuleModel | undefined; readonly series: EntrySeries };

/** What an entry reads of its series through its window (engine-state.ts SeriesFeeds): kept once per series, not per entry. */
export interface EntrySeries {
  readonly key: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Its feeds' own numbers, then its entries' (`EntryPlan.at`). */
  readonly numbers: Float64Array;
  readonly feeds: readonly EntryWindow[];
  readonly entries: EntryPlan;
  /** The entries kept as objects, by index (`entryOf`); undefined while none is. */
  alerts: (SeriesAlert | undefined)[] | undefined;
}

/**
 * The entries of every series bound to the same rules, described once
 * (EngineState.entryPlans): entry k watches `rules[k]` through feed
 * `feedOf[k]`, feed i's entries are `from[i]` up to `from[i + 1]`, and entry
 * k's numbers start at `at + k × NUMBERS` in the series' numbers.
 */
export interface EntryPlan {
  readonly rules: readonly CompiledRule[];
  readonly feedOf: Int32Array;
  readonly from: Int32Array;
  readonly at: number;
}

/** The plan of entries for feeds that watch `byFeed[i]` each, after `at` numbers of the series' own. */
export function entryPlan(byFeed: readonly (readonly CompiledRule[])[], at: number): EntryPlan {
  const rules = byFeed.flat();
  const feedOf = new Int32Array(rules.length);
  const from = new Int32Array(byFeed.length + 1);
  for (let i = 0, k = 0; i < byFeed.length; i++) {
    from[i] = k;
    for (let j = 0; j < byFeed[i]!.length; j++) feedOf[k++] = i;
  }
  from[byFeed.length] = rules.length;
  return { rules, feedOf, from, at };
}

/** The part of an entry that only an alert (pending, firing, or once so) needs. */
class Alerting {
  labels: Readonly<Record<string, string>> | undefined = undefined;
  fingerprint: string | undefined = undefined;
  activeAt = NaN;
  crossedAt = NaN;
  evidenceSince = NaN;
  clearSince = NaN;
  clockShift = 0;
}

const STATES: readonly AlertState[] = ['inactive', 'pending', 'firing', 'resolved'];
const FIRE_HOLDS = 4;
const NO_DATA = 8;
const VALUE = 0;
const LAST_SEEN = 1;
/** Numbers per entry. */
const NUMBERS = 2;

/** The number buffer of a series: the plan's `at` numbers of its own (engine-state.ts SeriesFeeds.numbers), then its entries'. */
export function numbersFor(plan: EntryPlan): Float64Array {
  const n = new Float64Array(plan.at + plan.rules.length * NUMBERS);
  for (let at = plan.at; at < n.length; at += NUMBERS) {
    n[at + VALUE] = NaN;
    n[at + LAST_SEEN] = NaN;
  }
  return n;
}

/** Entry k of a series, kept from now on: for whatever holds it by identity (timers, the firing index) or changes more than its numbers. */
export function entryOf(series: EntrySeries, k: number): SeriesAlert {
  const alerts = (series.alerts ??= new Array<SeriesAlert | undefined>(series.entries.rules.length).fill(undefined));
  return (alerts[k] ??= viewOf(series, k));
}

/** Entry k of a series to read: its kept object, or a view of its numbers that nothing keeps. */
export function entryAt(series: EntrySeries, k: number): SeriesAlert {
  return series.alerts?.[k] ?? viewOf(series, k);
}

function viewOf(series: EntrySeries, k: number): SeriesAlert {
  const plan = series.entries;
  return new SeriesAlert(plan.rules[k]!, series.feeds[plan.feedOf[k]!]!, plan.at + k * NUMBERS);
}

/** The entries of feed `slot` of a series (all of them without), to read. */
export function entriesOf(series: EntrySeries, slot?: number): SeriesAlert[] {
  const { from, rules } = series.entries;
  const out: SeriesAlert[] = [];
  const first = slot === undefined ? 0 : from[slot]!;
  const end = slot === undefined ? rules.length : from[slot + 1]!;
  for (let k = first; k < end; k++) out.push(entryAt(series, k));
  return out;
}

/** Entry k's last aggregated value, read without a view. */
export function valueAt(series: EntrySeries, k: number): number {
  return series.numbers[series.entries.at + k * NUMBERS + VALUE]!;
}

/** Entry k's last-seen time moved by `ms` (a clock step; NaN stays NaN), without a view. */
export function shiftLastSeen(series: EntrySeries, k: number, ms: number): void {
  series.numbers[series.entries.at + k * NUMBERS + LAST_SEEN]! += ms;
}

/**
 * onValue (lifecycle.ts) for entry k while it has no object: it is
 * inactive, not silent, and nothing times it, so a value that does not fire
 * (or no value) changes only its numbers. False when it needs its object:
 * the value fires, or its rule watches for no_data (it is then timed).
 */
export function quietValue(series: EntrySeries, k: number, rule: CompiledRule, value: number, time: number): boolean {
  if (rule.noDataMs > 0) return false;
  const fires = !Number.isNaN(value) && holds(rule.fire, value);
  if (fires) return false;
  const n = series.numbers;
  const at = series.entries.at + k * NUMBERS;
  n[at + LAST_SEEN] = time;
  // Only a firing value sets fireHolds, and only a timer noData: it has neither.
  n[at + VALUE] = value;
  return true;
}

/** The alert's labels: the series' tags, the rule's labels, alertname and severity. */
export function alertLabels(e: SeriesAlert): Readonly<Record<string, string>> {
  if (!e.labels) {
    e.labels = Object.freeze({ ...e.tags, ...e.rule.labels, alertname: e.rule.name, severity: e.rule.severity });
  }
  return e.labels;
}

/** Stable identity of an alert: a hash of the rule name and its sorted labels. */
export function fingerprintOf(rule: string, labels: Readonly<Record<string, string>>): string {
  const text = [rule, ...Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`)].join('\u0000');
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export function fingerprint(e: SeriesAlert): string {
  e.fingerprint ??= fingerprintOf(e.rule.name, alertLabels(e));
  return e.fingerprint;
}

/** Builds the transition record, rendering annotations and the outage service for it. */
export function transition(
  e: SeriesAlert, from: AlertState, to: AlertState, at: number,
  reason: NonNullable<AlertTransition['reason']>,
): AlertTransition {
  const rule = e.rule;
  const labels = alertLabels(e);
  // A trend rule's threshold is the level it forecasts, not its horizon.
  const threshold = rule.trend ? rule.trend.threshold : rule.fire.value;
  const data = { labels, value: e.value, threshold, ...modelFigures(e.model) };
  const annotations: Record<string, string> = {};
  for (const [k, t] of Object.entries(rule.annotations)) annotations[k] = t(data);
  return {
    fingerprint: fingerprint(e),
    rule: rule.name,
    from,
    to,
    labels,
    annotations,
    severity: rule.severity,
    value: e.value,
    threshold,
    ...(rule.kpi !== undefined ? { kpi: rule.kpi } : {}),
    activeAt: e.activeAt,
    crossedAt: e.crossedAt,
    ...(Number.isFinite(e.evidenceSince) && e.evidenceSince < e.activeAt ? { evidenceSince: e.evidenceSince } : {}),
    at,
    ...(rule.outage
      ? { outage: { service: rule.outage.service(data), recoveryTarget: rule.outage.recoveryTarget, warnAt: rule.outage.warnAt } }
      : {}),
    series: e.series,
    ...(to === 'resolved' && !Number.isNaN(e.clearSince) ? { clearedAt: e.clearSince } : {}),
    ...(e.clockShift ? { clockShift: e.clockShift } : {}),
    reason,
  };
}
