import { linearRegex } from '../../core/linear-regex.js';
import type { InterfaceFilterOptions } from './snmp-options.js';
import { IF_MIB, IF_STATUS, type IfMibColumn } from './oids.js';
import type { InterfaceCounterName, InterfaceCounters } from './interface-rates.js';
import type { Column } from './table-walker.js';
import { asCounter, asNumber, asText } from './varbind-values.js';

/** One row of ifTable + ifXTable, decoded. */
export interface InterfaceRow {
  readonly index: string;
  /** ifName, or ifDescr when the agent has no ifName. */
  readonly name: string;
  readonly descr: string;
  readonly alias: string;
  readonly adminStatus?: number;
  readonly operStatus?: number;
  readonly ifSpeed?: number;
  readonly ifHighSpeed?: number;
  readonly counters: InterfaceCounters;
  /** Local time each counter's answer arrived. */
  readonly times: Partial<Record<InterfaceCounterName, number>>;
}

/** Labels and status: read on every poll, whatever the counters. */
const DESCRIPTIVE: IfMibColumn[] = ['ifDescr', 'ifName', 'ifAlias', 'ifAdminStatus', 'ifOperStatus', 'ifSpeed', 'ifHighSpeed'];

const ERRORS: Partial<Record<IfMibColumn, InterfaceCounterName>> = {
  ifInDiscards: 'in_discards', ifInErrors: 'in_errors', ifOutDiscards: 'out_discards', ifOutErrors: 'out_errors',
};

/** ifXTable 64-bit counters (RFC 2863 §3.1.6): what a v2c/v3 poll reads. */
export const HC_COUNTERS: Partial<Record<IfMibColumn, InterfaceCounterName>> = {
  ifHCInOctets: 'in_octets', ifHCOutOctets: 'out_octets',
  ifHCInUcastPkts: 'in_ucast', ifHCInMulticastPkts: 'in_mcast', ifHCInBroadcastPkts: 'in_bcast',
  ifHCOutUcastPkts: 'out_ucast', ifHCOutMulticastPkts: 'out_mcast', ifHCOutBroadcastPkts: 'out_bcast',
};

/** ifTable 32-bit counters: for SNMPv1 (no Counter64) and agents without ifXTable. */
export const LEGACY_COUNTERS: Partial<Record<IfMibColumn, InterfaceCounterName>> = {
  ifInOctets: 'in_octets', ifOutOctets: 'out_octets',
  ifInUcastPkts: 'in_ucast', ifInNUcastPkts: 'in_nucast',
  ifOutUcastPkts: 'out_ucast', ifOutNUcastPkts: 'out_nucast',
};

/** The columns one poll walks: only those it turns into fields. */
export function interfaceColumns(counters: 'hc' | 'legacy'): IfMibColumn[] {
  const c = counters === 'hc' ? HC_COUNTERS : LEGACY_COUNTERS;
  return [...DESCRIPTIVE, ...(Object.keys(ERRORS) as IfMibColumn[]), ...(Object.keys(c) as IfMibColumn[])];
}

const COUNTER_COLUMNS = Object.entries({ ...ERRORS, ...HC_COUNTERS, ...LEGACY_COUNTERS }) as [IfMibColumn, InterfaceCounterName][];

/** Text of the row's varbind in `column`, '' when the column has no such row. */
function textAt(column: Column | undefined, index: string): string {
  const vb = column?.get(index);
  return vb ? asText(vb) : '';
}

function numberAt(column: Column | undefined, index: string): number | undefined {
  const vb = column?.get(index);
  return vb ? asNumber(vb) : undefined;
}

/**
 * Builds rows from walked columns (keyed by column OID). Rows exist for every
 * index any column returned. Runs once per interface per poll: columns are
 * looked up once per call and no closure or entry array is built per row.
 */
export function interfaceRows(walked: ReadonlyMap<string, Column>): InterfaceRow[] {
  const col = (c: IfMibColumn) => walked.get(IF_MIB[c]);
  const indices = new Set<string>();
  for (const column of walked.values()) for (const i of column.keys()) indices.add(i);
  const [descrs, names, aliases, admins, opers, speeds, highSpeeds] =
    [col('ifDescr'), col('ifName'), col('ifAlias'), col('ifAdminStatus'), col('ifOperStatus'), col('ifSpeed'), col('ifHighSpeed')];
  const counterColumns = COUNTER_COLUMNS.map(([c, name]) => ({ column: col(c), name, legacy: LEGACY_COUNTERS[c] !== undefined }))
    .filter((c) => c.column !== undefined);
  const rows: InterfaceRow[] = [];
  for (const index of [...indices].sort((a, b) => Number(a) - Number(b))) {
    const counters: InterfaceCounters = {};
    const times: InterfaceRow['times'] = {};
    for (const c of counterColumns) {
      const vb = c.column!.get(index);
      // HC wins when both are present; legacy fills in for agents without ifXTable.
      if (vb && !(c.legacy && counters[c.name] !== undefined)) {
        counters[c.name] = asCounter(vb);
        times[c.name] = vb.at;
      }
    }
    const descr = textAt(descrs, index);
    rows.push({
      index,
      name: textAt(names, index) || descr || `ifIndex ${index}`,
      descr,
      alias: textAt(aliases, index),
      adminStatus: numberAt(admins, index),
      operStatus: numberAt(opers, index),
      ifSpeed: numberAt(speeds, index),
      ifHighSpeed: numberAt(highSpeeds, index),
      counters,
      times,
    });
  }
  return rows;
}

const STATUS_NAME: Record<number, string> = { [IF_STATUS.up]: 'up', [IF_STATUS.down]: 'down', [IF_STATUS.testing]: 'testing' };

/** The interface filter of config, compiled once. */
export function interfaceFilter(cfg: InterfaceFilterOptions): (row: InterfaceRow) => boolean {
  // RE2, linear time: names and aliases are whatever the device reports.
  const include = cfg.include !== undefined ? linearRegex(cfg.include) : undefined;
  const exclude = cfg.exclude !== undefined ? linearRegex(cfg.exclude) : undefined;
  const alias = cfg.alias !== undefined ? linearRegex(cfg.alias) : undefined;
  const admin = cfg.adminStatus ? new Set<string>(cfg.adminStatus) : undefined;
  return (row) =>
    (!include || include.test(row.name)) &&
    (!exclude || !exclude.test(row.name)) &&
    (!alias || alias.test(row.alias)) &&
    (!admin || admin.has(STATUS_NAME[row.adminStatus ?? 0] ?? ''));
}
