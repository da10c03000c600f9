import snmp, { type Mib } from 'net-snmp';

/** IF-MIB's two interface tables (RFC 2863), numeric: no MIB files are installed. */
export const IF_TABLE = '1.3.6.1.2.1.2.2.1';
export const IFX_TABLE = '1.3.6.1.2.1.31.1.1.1';

const T = snmp.ObjectType;

/** ifTable columns an in-process agent may serve: column number and type. */
const IF_COLUMNS = {
  ifIndex: [1, T.Integer], ifDescr: [2, T.OctetString], ifSpeed: [5, T.Gauge], ifAdminStatus: [7, T.Integer],
  ifOperStatus: [8, T.Integer], ifInOctets: [10, T.Counter], ifInErrors: [14, T.Counter], ifOutOctets: [16, T.Counter],
  ifOutErrors: [20, T.Counter],
} as const;

/** ifXTable columns; ifXIndex (30, not accessible) is the index and always added last. */
const IFX_COLUMNS = {
  ifName: [1, T.OctetString], ifHCInOctets: [6, T.Counter64], ifHCInUcastPkts: [7, T.Counter64], ifHCOutOctets: [10, T.Counter64],
  ifHCOutUcastPkts: [11, T.Counter64], ifHighSpeed: [15, T.Gauge], ifAlias: [18, T.OctetString],
} as const;

export type IfColumn = keyof typeof IF_COLUMNS;
export type IfXColumn = Exclude<keyof typeof IFX_COLUMNS, never>;

/**
 * Registers ifTable and ifXTable on a net-snmp Agent's mib with the columns
 * given, in that order: a row added later lists its values in the same
 * order (ifXTable rows end with the ifIndex). The demo's devices and the
 * tests' crafted agent serve different columns from this one definition.
 */
export function registerIfMib(mib: Mib, ifColumns: readonly IfColumn[], ifxColumns: readonly IfXColumn[]): void {
  const ro = snmp.MaxAccess['read-only'];
  const na = snmp.MaxAccess['not-accessible'];
  const column = (name: string, [number, type]: readonly [number, number | undefined]) => ({ number, name, type: type!, maxAccess: ro });
  mib.registerProvider({
    name: 'ifTable', type: snmp.MibProviderType.Table!, oid: IF_TABLE, maxAccess: na,
    tableColumns: ifColumns.map((c) => column(c, IF_COLUMNS[c])),
    tableIndex: [{ columnName: 'ifIndex' }],
  });
  mib.registerProvider({
    name: 'ifXTable', type: snmp.MibProviderType.Table!, oid: IFX_TABLE, maxAccess: na,
    tableColumns: [...ifxColumns.map((c) => column(c, IFX_COLUMNS[c])), { number: 30, name: 'ifXIndex', type: T.Integer!, maxAccess: na }],
    tableIndex: [{ columnName: 'ifXIndex' }],
  });
}

/** Counter64 as net-snmp's mib holds it: 8 bytes, big-endian. */
export function u64(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(v);
  return b;
}
