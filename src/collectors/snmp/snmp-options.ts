import { mapOnce } from '../../core/map-once.js';
import type { CustomEntryConfig, InterfaceFilterConfig, LinkMatcherConfig, SnmpConfig, SnmpUserConfig } from './snmp-config.js';

/**
 * What the SNMP collector polls with, in its own words: a target's validated
 * `snmp:` block (snmp-config.ts) mapped once, here. Nothing else in
 * src/collectors/snmp/ reads the YAML names. Durations are ms.
 */
export interface SnmpOptions {
  /** SNMP version. Default 2c. */
  readonly version: '1' | '2c' | '3';
  /** v1/v2c community (a secret: never logged). */
  readonly community?: string | undefined;
  /** SNMPv3 USM user; required for version 3. */
  readonly user?: SnmpUserOptions | undefined;
  /** UDP port of the agent. Default 161. */
  readonly port: number;
  /** Wait for one answer before a retry, ms. Default 1,000. */
  readonly timeout: number;
  /** Retries of one request. Default 1. */
  readonly retries: number;
  /** Rows asked for in one GETBULK (v2c, v3). Default 25. */
  readonly maxRepetitions: number;
  /** Table columns walked at once against this device. Default 4. */
  readonly maxParallelWalks: number;
  /** A column longer than this ends the poll with table_too_long. Default 100,000 rows. */
  readonly maxRows: number;
  /** What is read. Default system and interfaces. */
  readonly modules: readonly ('system' | 'interfaces' | 'custom')[];
  readonly interfaces: InterfaceFilterOptions;
  /** Values outside IF-MIB. Default none. */
  readonly custom: readonly CustomEntryOptions[];
  /** Re-polls after an unanswered poll before the device is reported down: count (default 2) and gap, ms (default 1,000). */
  readonly confirm: { readonly attempts: number; readonly delay: number };
}

/** SNMPv3 USM user; keys come from the environment and are never logged. */
export interface SnmpUserOptions {
  readonly name: string;
  /** Default authPriv. */
  readonly level: SnmpUserConfig['level'];
  readonly authProtocol?: SnmpUserConfig['auth_protocol'];
  readonly authKey?: string | undefined;
  readonly privProtocol?: SnmpUserConfig['priv_protocol'];
  readonly privKey?: string | undefined;
}

/** Selects links by regexes (RE2) on ifName, ifAlias, ifDescr and by exact target labels; all given keys must match. */
export type LinkMatcherOptions = LinkMatcherConfig;

/** Which interfaces are reported, and which of them page. All filters must match. */
export interface InterfaceFilterOptions {
  /** Regex on the interface name. Default: every interface. */
  readonly include?: string | undefined;
  /** Regex on the interface name; matches are left out. Default: none left out. */
  readonly exclude?: string | undefined;
  /** Only interfaces whose ifAdminStatus is one of these. Default: any. */
  readonly adminStatus?: readonly ('up' | 'down' | 'testing')[] | undefined;
  /** Regex on ifAlias. Default: any. */
  readonly alias?: string | undefined;
  /** Links monitored even if never seen up. Default none. */
  readonly mustBeUp: readonly LinkMatcherOptions[];
  /** Links no interface rule alerts on. Default none. */
  readonly neverAlert: readonly LinkMatcherOptions[];
}

/** One custom measurement: scalars GET, or a table walked row by row. */
export interface CustomEntryOptions {
  readonly measurement: string;
  /** Walk columns (one sample per row) instead of GET. Default false. */
  readonly table: boolean;
  /** Field name → OID, gauge or counter, and for counters rate (per second, default) or delta (per poll). */
  readonly fields: Readonly<Record<string, CustomEntryConfig['fields'][string]>>;
  /** Tag carrying the row index (tables). */
  readonly indexTag?: string | undefined;
  /** Tag name → column OID (tables). Default none. */
  readonly tags: Readonly<Record<string, string>>;
}

/** A target's `snmp:` block as the scheduler hands it to the collector: read only through snmpOptions. */
export type SnmpBlock = SnmpConfig;

/** Options from a validated `snmp:` block; mapped once per block (a reload brings new blocks). */
export const snmpOptions = mapOnce((cfg: SnmpConfig): SnmpOptions => map(cfg));

function map(cfg: SnmpConfig): SnmpOptions {
  return {
    version: cfg.version,
    ...(cfg.community !== undefined ? { community: cfg.community } : {}),
    ...(cfg.user !== undefined ? { user: userOptions(cfg.user) } : {}),
    port: cfg.port,
    timeout: cfg.timeout,
    retries: cfg.retries,
    maxRepetitions: cfg.max_repetitions,
    maxParallelWalks: cfg.max_parallel_walks,
    maxRows: cfg.max_rows,
    modules: cfg.modules,
    interfaces: interfaceFilterOptions(cfg.interfaces),
    custom: cfg.custom.map((e) => ({
      measurement: e.measurement,
      table: e.table,
      fields: e.fields,
      ...(e.index_tag !== undefined ? { indexTag: e.index_tag } : {}),
      tags: e.tags,
    })),
    confirm: { attempts: cfg.confirm.attempts, delay: cfg.confirm.delay },
  };
}

/** Also the trap receiver's v3 users (config traps.users). */
export function userOptions(u: SnmpUserConfig): SnmpUserOptions {
  return {
    name: u.name,
    level: u.level,
    ...(u.auth_protocol !== undefined ? { authProtocol: u.auth_protocol } : {}),
    ...(u.auth_key !== undefined ? { authKey: u.auth_key } : {}),
    ...(u.priv_protocol !== undefined ? { privProtocol: u.priv_protocol } : {}),
    ...(u.priv_key !== undefined ? { privKey: u.priv_key } : {}),
  };
}

function interfaceFilterOptions(f: InterfaceFilterConfig): InterfaceFilterOptions {
  return {
    ...(f.include !== undefined ? { include: f.include } : {}),
    ...(f.exclude !== undefined ? { exclude: f.exclude } : {}),
    ...(f.admin_status !== undefined ? { adminStatus: f.admin_status } : {}),
    ...(f.alias !== undefined ? { alias: f.alias } : {}),
    mustBeUp: f.must_be_up,
    neverAlert: f.never_alert,
  };
}
