import type { Gauge } from 'prom-client';
import { systemClock, type Clock } from '../core/clock.js';
import { PeriodicSweep } from '../core/periodic-sweep.js';
import { SeriesGroup } from './series-group.js';

type Labels = Record<string, string>;
/** Any prom-client metric whose label sets can be removed (gauges, counters, histograms). */
type Removable = { remove(labels: Labels): void };
/** One label set of one metric, and when it leaves /metrics unless written again (epoch ms). */
type Tracked = { gauge: Removable; labels: Labels; expiresAt: number };

/**
 * Sets gauges while remembering which label sets belong to which target,
 * so that a target removed from config (or an interface that vanished) can
 * be dropped from /metrics instead of reporting its last value forever.
 * A label set not written for its series' lifetime leaves /metrics too (an
 * interface gone from the table, a pushed tag that changed), swept on the
 * clock every third of the shortest lifetime.
 */
export class SeriesTracker {
  private readonly byTarget = new Map<string, Map<string, Tracked>>();
  /** Groups of series written together (an interface's), by target and then the group's own key. */
  private readonly groups = new Map<string, Map<string, SeriesGroup>>();
  /** When the label sets written now leave /metrics unless written again; set per batch (`lifetime`). */
  private expiresAt = Infinity;
  private readonly sweep: PeriodicSweep;

  constructor(private readonly clock: Clock = systemClock) {
    this.sweep = new PeriodicSweep(clock, (now) => this.forgetSilent(now));
    this.sweep.start();
  }

  /** The label sets written next belong to series that live `lifetime` ms without a sample (Infinity: for ever). */
  lifetime(lifetime: number): void {
    this.expiresAt = this.clock.now() + lifetime;
    this.sweep.note(lifetime);
  }

  /** Label sets kept now, all metrics together. */
  get size(): number {
    let n = 0;
    for (const series of this.byTarget.values()) n += series.size;
    for (const groups of this.groups.values()) for (const g of groups.values()) n += g.size;
    return n;
  }

  /** When the series written now leave /metrics unless written again (epoch ms), for writes through a group. */
  get expiry(): number {
    return this.expiresAt;
  }

  /**
   * The group of `target`'s series under `key` (an interface name), made of
   * `metrics` (the i-th series of the group belongs to metrics[i]) when new.
   */
  group(target: string, key: string, metrics: ConstructorParameters<typeof SeriesGroup>[0]): SeriesGroup {
    let groups = this.groups.get(target);
    if (!groups) this.groups.set(target, (groups = new Map()));
    let g = groups.get(key);
    if (!g) groups.set(key, (g = new SeriesGroup(metrics)));
    return g;
  }

  set(gauge: Gauge<string>, labels: Labels, value: number): void {
    gauge.set(labels, value);
    this.track(gauge, labels);
  }

  /** Remembers a label set written some other way (a counter's inc) so it is removed with its target. */
  track(metric: Removable, labels: Labels): void {
    const target = labels.target ?? '';
    let series = this.byTarget.get(target);
    if (!series) this.byTarget.set(target, (series = new Map()));
    const key = `${(metric as unknown as { name: string }).name}|${JSON.stringify(labels)}`;
    const known = series.get(key);
    if (known) known.expiresAt = this.expiresAt;
    else series.set(key, { gauge: metric, labels, expiresAt: this.expiresAt });
  }

  /** Removes one series whose value is no longer known (e.g. rtt at 100 % loss). */
  clear(gauge: Gauge<string>, labels: Labels): void {
    gauge.remove(labels);
    this.byTarget.get(labels.target ?? '')?.delete(`${(gauge as unknown as { name: string }).name}|${JSON.stringify(labels)}`);
  }

  /** Removes every series set for `target`. */
  forgetTarget(target: string): void {
    for (const { gauge, labels } of this.byTarget.get(target)?.values() ?? []) gauge.remove(labels);
    this.byTarget.delete(target);
    for (const g of this.groups.get(target)?.values() ?? []) g.clearAll();
    this.groups.delete(target);
  }

  targets(): string[] {
    return [...new Set([...this.byTarget.keys(), ...this.groups.keys()])];
  }

  stop(): void {
    this.sweep.stop();
  }

  private forgetSilent(now: number): void {
    for (const [target, series] of this.byTarget) {
      for (const [key, t] of series) {
        if (t.expiresAt > now) continue;
        t.gauge.remove(t.labels);
        series.delete(key);
      }
      if (series.size === 0) this.byTarget.delete(target);
    }
    for (const [target, groups] of this.groups) {
      for (const [key, g] of groups) if (g.forgetSilent(now)) groups.delete(key);
      if (groups.size === 0) this.groups.delete(target);
    }
  }
}
