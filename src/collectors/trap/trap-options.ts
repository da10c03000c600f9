import { userOptions, type SnmpUserOptions } from '../snmp/snmp-options.js';
import type { TrapsConfig } from './trap-config.js';

/**
 * What the trap receiver runs on, in its own words: the validated `traps:`
 * section (trap-config.ts) mapped once, here. Nothing else in
 * src/collectors/trap/ reads the YAML names.
 */
export interface TrapOptions {
  /** Where traps and informs are received. Default 0.0.0.0:1162 (162 needs root). */
  readonly listen: { readonly host: string; readonly port: number };
  /** v1/v2c communities accepted (`community` and `communities` together, each once). Secrets: never logged. Default none. */
  readonly communities: readonly string[];
  /** SNMPv3 USM users whose notifications are accepted. Default none. */
  readonly users: readonly SnmpUserOptions[];
}

/** Options from the validated `traps:` section. */
export function trapOptions(cfg: TrapsConfig): TrapOptions {
  return {
    listen: { host: cfg.listen.host, port: cfg.listen.port },
    communities: [...new Set([...(cfg.community ? [cfg.community] : []), ...cfg.communities])],
    users: cfg.users.map(userOptions),
  };
}
