import type { Gauge } from 'prom-client';

type Labels = Record<string, string>;
/** Any prom-client metric whose label sets can be removed (gauges, counters, histograms). */
type Removable = { remove(labels: Labels): void };

/**
 * Sets gauges while remembering which label sets belong to which target,
 * so that a target removed from config (or an interface that vanished) can
 * be dropped from /metrics instead of reporting its last value forever.
 */
export class SeriesTracker {
  private readonly byTarget = new Map<string, Map<string, { gauge: Removable; labels: Labels }>>();

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
    if (!series.has(key)) series.set(key, { gauge: metric, labels });
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
  }

  targets(): string[] {
    return [...this.byTarget.keys()];
  }
}
