import type { KpidConfig } from '../config/load.js';
import type { TargetConfig } from '../config/schema.js';
import type { ProbeSpec, Target } from '../core/target.js';

/** The label a probe's samples and metrics carry: its name, or `icmp`, `tcp:22`. */
export function probeName(p: TargetConfig['probes'][number]): string {
  if (p.name) return p.name;
  return p.type === 'tcp' ? `tcp:${p.port}` : p.type;
}

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
