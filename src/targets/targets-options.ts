import type { KpidConfig } from '../config/load.js';
import { seriesLifetime, type ProbeSpec, type Target } from '../core/target.js';
import { probeName } from '../config/probe-name.js';

/*
 * The targets stage is this mapping: the validated `targets:` and `defaults:`
 * sections (and ingest.series_idle_expiry) turned once into core's Target,
 * camelCase, with defaults applied. Nothing downstream reads their YAML names;
 * a target's `snmp:` and `probes:` pass through as written, for the collector
 * that owns their schema to map.
 */

/** Targets from config, with defaults applied, in config order. */
export function resolveTargets(config: KpidConfig): Target[] {
  return config.targets.map((t) =>
    Object.freeze({
      name: t.name,
      site: t.site,
      address: t.address,
      labels: t.labels,
      interval: t.interval ?? config.defaults.interval,
      timeout: t.timeout ?? config.defaults.timeout,
      ...(lifetimeOf(t, config) !== undefined ? { seriesLifetime: lifetimeOf(t, config) } : {}),
      snmp: t.snmp,
      probes: t.probes.map((p) => Object.freeze({ ...p, name: probeName(p) }) as ProbeSpec),
    }),
  );
}

/** series_lifetime of the target or of `defaults`; undefined: 3 intervals (core/target.ts). */
function lifetimeOf(t: KpidConfig['targets'][number], config: KpidConfig): number | undefined {
  return t.series_lifetime ?? config.defaults.series_lifetime;
}

/**
 * The longest any series lives without a sample under this config: how
 * long the series of an alert put back at a start is kept waiting for one.
 */
export function longestSeriesLifetime(config: KpidConfig): number {
  return Math.max(config.ingest.series_idle_expiry, ...resolveTargets(config).map(seriesLifetime));
}
