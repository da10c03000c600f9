import { createHash } from 'node:crypto';
import type { AlertState, AlertTransition } from '../core/alert.js';
import type { CompiledRule } from './rule.js';
import type { Window } from './window.js';
import { modelFigures, type RuleModel } from './model.js';

/**
 * What the engine knows about one rule watching one series: its window and
 * where its alert stands. Times are epoch ms; NaN means "not set".
 *
 * Its value, last-seen time and deadline live in one Float64Array shared by
 * every entry of the series (`numbersFor`), not in fields of their own: V8
 * boxes each double field of an object in a 16-byte heap number, and at
 * 10,000 interfaces × 15 rules that was 1.9 KiB per series of boxes alone
 * (bench/rules-memory). The times of an alert (active, crossed, cleared,
 * clock shift) exist only once it has been pending or firing (`Alerting`,
 * with its labels): most entries never are, and their five NaNs were
 * 600 bytes per interface.
 */
export class SeriesAlert {
  /** state (2 bits), fireHolds, noData: one small integer instead of three fields. */
  private flags = 0;
  /** Built at the entry's first transition (or a restore): its labels, fingerprint and alert times. */
  private alerting: Alerting | undefined = undefined;

  constructor(
    readonly rule: CompiledRule,
    /** Shared with the other rules that aggregate this series the same way; it holds their model, and knows its series. */
    readonly window: Window & { readonly model: RuleModel | undefined; readonly series: EntrySeries },
    private readonly n: Float64Array,
    /** Where this entry's numbers start in `n`. */
    private readonly at: number,
  ) {
    n[at + VALUE] = NaN;
    n[at + LAST_SEEN] = NaN;
    n[at + DEADLINE] = Infinity;
  }

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
  /** The next time a timer may change this entry; Infinity for none. */
  get deadline(): number { return this.n[this.at + DEADLINE]!; }
  set deadline(v: number) { this.n[this.at + DEADLINE] = v; }
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

/** What an entry reads of its series through its window (engine-state.ts SeriesFeeds): kept once per series, not per entry. */
export interface EntrySeries {
  readonly key: string;
  readonly tags: Readonly<Record<string, string>>;
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
const DEADLINE = 2;
/** Numbers per entry. */
const NUMBERS = 3;

/** The number buffer of a series: `before` numbers of its own (engine-state.ts SeriesFeeds.numbers), then those of its `entries` entries. */
export function numbersFor(before: number, entries: number): Float64Array {
  return new Float64Array(before + entries * NUMBERS);
}

/** Entry `index` of the series whose numbers are `n`, after the series' `before` own. */
export function newSeriesAlert(rule: CompiledRule, window: SeriesAlert['window'], n: Float64Array, before: number, index: number): SeriesAlert {
  return new SeriesAlert(rule, window, n, before + index * NUMBERS);
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
