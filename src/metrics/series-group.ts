import type { Counter, Gauge } from 'prom-client';
import { ExposedSeries, labelText, type SeriesLabels } from '../core/exposed-series.js';

/** A gauge or counter of the group, whatever its label names. */
type Metric = Gauge<never> | Counter<never>;
/** What prom-client keeps but does not declare: the metric's name and the map of its series. */
type Internals = { readonly name: string; hashMap?: Record<string, { value: number }> };

/**
 * The series one source writes together (the 11 kpid_interface_* series of
 * one interface), found with one lookup per sample instead of one per
 * series. Each series, once on /metrics, is an ExposedSeries held here and
 * in its metric: an update writes its value, with no label validation,
 * hashing or allocation. The group owns its series: they leave /metrics
 * through it (`clear`, the tracker's sweep and forgetTarget), never by a
 * `remove` or `reset` on the metric.
 */
export class SeriesGroup {
  private readonly held: Array<ExposedSeries | undefined>;
  /** When each series leaves /metrics unless written again (epoch ms). */
  private readonly expiresAt: number[];

  constructor(private readonly metrics: readonly Metric[]) {
    this.held = new Array<ExposedSeries | undefined>(metrics.length).fill(undefined);
    this.expiresAt = new Array<number>(metrics.length).fill(Infinity);
  }

  /** Series `i` (a gauge) now reads `value`; `labels` is called only when the series is new to /metrics. */
  set(i: number, value: number, expiresAt: number, labels: () => SeriesLabels): void {
    const s = this.held[i];
    if (s) s.value = value;
    else this.held[i] = this.hold(i, labels(), (m, l) => (m as Gauge<never>).set(l, value));
    this.expiresAt[i] = expiresAt;
  }

  /** Series `i` (a gauge) now reads `value`, if it is on /metrics; false when it is not (then `set` it). */
  update(i: number, value: number, expiresAt: number): boolean {
    const s = this.held[i];
    if (!s) return false;
    s.value = value;
    this.expiresAt[i] = expiresAt;
    return true;
  }

  /** Series `i` (a counter) grows by `delta` (≥ 0), if it is on /metrics; false when it is not (then `add` it). */
  increase(i: number, delta: number, expiresAt: number): boolean {
    const s = this.held[i];
    if (!s || !(delta >= 0)) return false;
    s.value += delta;
    this.expiresAt[i] = expiresAt;
    return true;
  }

  /** Series `i` (a counter) grows by `delta` (≥ 0, as prom-client's inc insists). */
  add(i: number, delta: number, expiresAt: number, labels: () => SeriesLabels): void {
    const s = this.held[i];
    if (s && delta >= 0) s.value += delta;
    else if (s) throw new Error(`It is not possible to decrease a counter (${(this.metrics[i] as unknown as Internals).name}: ${delta})`);
    else this.held[i] = this.hold(i, labels(), (m, l) => (m as Counter<never>).inc(l, delta));
    this.expiresAt[i] = expiresAt;
  }

  /** Series `i` leaves /metrics (its value is no longer known). */
  clear(i: number): void {
    const s = this.held[i];
    if (!s) return;
    this.metrics[i]!.remove(s.labels as Record<never, string>);
    this.held[i] = undefined;
  }

  /** Removes the series not written since `now`; true when none is left. */
  forgetSilent(now: number): boolean {
    for (let i = 0; i < this.held.length; i++) if (this.expiresAt[i]! <= now) this.clear(i);
    return this.size === 0;
  }

  clearAll(): void {
    for (let i = 0; i < this.held.length; i++) this.clear(i);
  }

  /** Series of the group on /metrics now. */
  get size(): number {
    let n = 0;
    for (const s of this.held) if (s) n++;
    return n;
  }

  /** prom-client validates the labels and places the series; its record is then replaced, in place, by one held here. */
  private hold(i: number, labels: SeriesLabels, write: (m: Metric, l: Record<never, string>) => void): ExposedSeries {
    const metric = this.metrics[i]! as Metric & Internals;
    write(metric, labels as Record<never, string>);
    const key = hashKey(labels);
    const kept = metric.hashMap?.[key];
    if (!kept) throw new Error(`prom-client keeps ${metric.name}'s series some other way than kpid expects (no "${key}")`);
    return (metric.hashMap![key] = new ExposedSeries(kept.value, labels, sharedLabelText(labels)));
  }
}

/** prom-client's key for a label set in its hashMap (util.js hashObject): sorted names, `name:value,` each. */
function hashKey(labels: SeriesLabels): string {
  let key = '';
  for (const name of Object.keys(labels).sort()) if (labels[name] !== undefined) key += `${name}:${labels[name]},`;
  return key;
}

// Series created one after the other with the same labels object (an
// interface's five per-interface series) share one label text.
let lastLabels: SeriesLabels | undefined;
let lastText = '';

function sharedLabelText(labels: SeriesLabels): string {
  if (labels !== lastLabels) {
    lastText = labelText(labels);
    lastLabels = labels;
  }
  return lastText;
}
