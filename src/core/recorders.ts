/**
 * The shapes a stage records through, so that it depends on a counter or a
 * gauge, not on src/metrics where they are defined: prom-client's Counter,
 * Gauge and Histogram have them. Label values are strings.
 */
export interface CounterLike<L extends string = string> {
  inc(labels: Partial<Record<L, string>>, value?: number): void;
}

export interface GaugeLike {
  set(value: number): void;
}

export interface HistogramLike<L extends string = string> {
  observe(value: number): void;
  /** Starts a timer; calling the returned function observes the seconds elapsed. */
  startTimer(labels?: Partial<Record<L, string>>): (labels?: Partial<Record<L, string>>) => number;
}
