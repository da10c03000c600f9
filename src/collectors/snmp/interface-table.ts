import { linearRegex } from '../../core/linear-regex.js';
import type { InterfaceFilterOptions } from './snmp-options.js';
import { IF_MIB, IF_STATUS, type IfMibColumn } from './oids.js';
import { counterNumber, InterfaceCounters, slotAllocator, type InterfaceCounterName } from './interface-counters.js';
import { asNumber, asText, type RawVarbind } from './varbind-values.js';

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
  /** Where its counters are in the table's InterfaceCounters. */
  readonly slot: number;
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

/** A row as its varbinds arrive; complete once every column is walked. */
type RowDraft = { -readonly [K in keyof InterfaceRow]: InterfaceRow[K] };

/** What a column's varbind sets in its row (or, a counter, in the counters at its slot), decoded as it arrives. */
type Reader = (row: RowDraft, vb: RawVarbind, at: number, counters: InterfaceCounters) => void;

function counterReader(name: InterfaceCounterName, legacy: boolean): Reader {
  const c = counterNumber(name);
  // HC wins when both are present; legacy fills in for agents without ifXTable.
  return (row, vb, at, counters) => counters.read(row.slot, c, vb, at, legacy);
}

const READERS = new Map<string, Reader>([
  [IF_MIB.ifDescr, (row, vb) => (row.descr = asText(vb))],
  [IF_MIB.ifName, (row, vb) => (row.name = asText(vb))],
  [IF_MIB.ifAlias, (row, vb) => (row.alias = asText(vb))],
  [IF_MIB.ifAdminStatus, (row, vb) => (row.adminStatus = asNumber(vb))],
  [IF_MIB.ifOperStatus, (row, vb) => (row.operStatus = asNumber(vb))],
  [IF_MIB.ifSpeed, (row, vb) => (row.ifSpeed = asNumber(vb))],
  [IF_MIB.ifHighSpeed, (row, vb) => (row.ifHighSpeed = asNumber(vb))],
  ...Object.entries({ ...ERRORS, ...HC_COUNTERS }).map(([c, name]) => [IF_MIB[c as IfMibColumn], counterReader(name, false)] as const),
  ...Object.entries(LEGACY_COUNTERS).map(([c, name]) => [IF_MIB[c as IfMibColumn], counterReader(name, true)] as const),
]);

/**
 * The interface table of one poll, built row by row as the walks' answers
 * arrive (table-walker.ts visitColumns): each varbind is decoded into its
 * row at once and dropped, so a walk of 1,000 interfaces keeps rows, not
 * 19,000 varbinds; counters go straight into `counters`, at the row's slot
 * (`slotOf`: see interface-counters.ts slotAllocator). Rows exist for every
 * index any column returned.
 */
export class InterfaceTable {
  private readonly drafts = new Map<string, RowDraft>();
  private readonly counts = new Map<string, number>();

  constructor(
    readonly counters: InterfaceCounters = new InterfaceCounters(),
    private readonly slotOf: (index: string) => number = slotAllocator(new Map()),
  ) {}

  /** The visitor to hand to visitColumns. */
  readonly take = (column: string, index: string, vb: RawVarbind, at: number): void => {
    const read = READERS.get(column);
    if (!read) return;
    let row = this.drafts.get(index);
    if (!row) {
      row = { index, name: '', descr: '', alias: '', slot: this.slotOf(index) };
      this.drafts.set(index, row);
    }
    read(row, vb, at, this.counters);
    this.counts.set(column, (this.counts.get(column) ?? 0) + 1);
  };

  /** How many rows `column` (its OID) answered. */
  rowsOf(column: string): number {
    return this.counts.get(column) ?? 0;
  }

  /** The rows by ifIndex, in order. */
  rows(): InterfaceRow[] {
    const rows = [...this.drafts.values()].sort((a, b) => Number(a.index) - Number(b.index));
    // ifName, or ifDescr when the agent has no ifName.
    for (const row of rows) row.name ||= row.descr || `ifIndex ${row.index}`;
    return rows;
  }
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
