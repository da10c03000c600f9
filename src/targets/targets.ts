import type { KpidConfig } from '../config/load.js';
import type { ProbeSpec, Target } from '../core/target.js';
import { probeName } from '../config/probe-name.js';

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
      snmp: t.snmp,
      probes: t.probes.map((p) => Object.freeze({ ...p, name: probeName(p) }) as ProbeSpec),
    }),
  );
}
