/**
 * A monitored thing (device, host or service) as the scheduler sees it:
 * resolved from config with defaults applied, frozen.
 */
export interface Target {
  readonly name: string;
  readonly site: string;
  readonly address: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Poll interval, milliseconds. */
  readonly interval: number;
  /** Per-poll timeout, milliseconds; never longer than the interval. */
  readonly timeout: number;
  /**
   * How long a series of this target is kept without a sample before it is
   * forgotten (rule windows, /metrics), ms; absent: SERIES_LIFETIME_INTERVALS
   * intervals (series_lifetime in config).
   */
  readonly seriesLifetime?: number;
  /** SNMP settings, as validated by the config schema; absent when not polled. */
  readonly snmp?: Readonly<Record<string, unknown>>;
  readonly probes: readonly ProbeSpec[];
}

/** One active probe of a target, as written under `probes:`. */
export interface ProbeSpec {
  readonly type: string;
  /** Label value of `probe` in samples and metrics: `icmp`, `tcp:22`, or the configured name. */
  readonly name: string;
  readonly [key: string]: unknown;
}

/** Tags every sample about a target carries. */
export function targetTags(target: Pick<Target, 'name' | 'site'>): Record<string, string> {
  return { target: target.name, site: target.site };
}

/** A polled series missing this many polls in a row is gone (an interface left the table, a probe was removed). */
export const SERIES_LIFETIME_INTERVALS = 3;

/** How long the series of a target live without a sample, ms. */
export function seriesLifetime(target: Pick<Target, 'interval' | 'seriesLifetime'>): number {
  return target.seriesLifetime ?? SERIES_LIFETIME_INTERVALS * target.interval;
}
