/**
 * What a notification says, whatever SNMP version carried it. SNMPv1 traps
 * carry generic/specific numbers (RFC 1157 §4.1.6); v2c/v3 notifications
 * carry snmpTrapOID.0 as their second varbind (RFC 3416 §4.2.6), and RFC
 * 3584 §3.1 maps one onto the other: generic trap n is 1.3.6.1.6.3.1.1.5.(n+1).
 */
export type TrapKind = 'coldStart' | 'warmStart' | 'linkDown' | 'linkUp' | 'authenticationFailure' | 'other';

export interface DecodedTrap {
  readonly kind: TrapKind;
  /** snmpTrapOID, also for v1 traps (translated per RFC 3584). */
  readonly trapOid: string;
  /** ifIndex for linkDown/linkUp, from the ifIndex varbind. */
  readonly ifIndex?: number;
  /** The agent address a v1 trap names (may differ from the UDP source behind NAT). */
  readonly agentAddress?: string;
  /** ifAdminStatus from the trap's varbinds (RFC 2863 linkDown/linkUp carry it): 1 up. */
  readonly adminUp?: 0 | 1;
}

const SNMP_TRAPS = '1.3.6.1.6.3.1.1.5';
const SNMP_TRAP_OID = '1.3.6.1.6.3.1.1.4.1.0';
const IF_INDEX = '1.3.6.1.2.1.2.2.1.1.';
const IF_ADMIN_STATUS = '1.3.6.1.2.1.2.2.1.7.';
const GENERIC: TrapKind[] = ['coldStart', 'warmStart', 'linkDown', 'linkUp', 'authenticationFailure'];

export interface RawVarbind {
  oid: string;
  type?: number;
  value: unknown;
}

export interface RawPdu {
  type: number;
  varbinds?: RawVarbind[];
  enterprise?: string;
  agentAddr?: string;
  generic?: number;
  specific?: number;
}

/** Decodes a PDU from net-snmp's receiver; undefined when it is not a notification we can read. */
export function decodeTrap(pdu: RawPdu): DecodedTrap | undefined {
  const varbinds = Array.isArray(pdu.varbinds) ? pdu.varbinds : [];
  let trapOid: string | undefined;
  let agentAddress: string | undefined;
  if (typeof pdu.generic === 'number') {
    // v1: enterprise-specific traps are enterprise.0.specific (RFC 3584 §3.1.2).
    trapOid = pdu.generic === 6 ? `${pdu.enterprise}.0.${pdu.specific}` : `${SNMP_TRAPS}.${pdu.generic + 1}`;
    agentAddress = typeof pdu.agentAddr === 'string' ? pdu.agentAddr : undefined;
  } else {
    const v = varbinds.find((vb) => vb.oid === SNMP_TRAP_OID)?.value;
    if (typeof v === 'string') trapOid = v;
  }
  if (!trapOid || !/^\d+(\.\d+)+$/.test(trapOid)) return undefined;
  const generic = trapOid.startsWith(`${SNMP_TRAPS}.`) ? Number(trapOid.slice(SNMP_TRAPS.length + 1)) - 1 : -1;
  const kind = GENERIC[generic] ?? 'other';
  let ifIndex: number | undefined;
  const vb = varbinds.find((b) => typeof b.oid === 'string' && b.oid.startsWith(IF_INDEX));
  if (vb) {
    const n = typeof vb.value === 'number' ? vb.value : Number(vb.oid.slice(IF_INDEX.length));
    if (Number.isInteger(n) && n > 0) ifIndex = n;
  }
  const admin = varbinds.find((b) => typeof b.oid === 'string' && b.oid.startsWith(IF_ADMIN_STATUS))?.value;
  const adminUp = typeof admin === 'number' ? (admin === 1 ? 1 : 0) : undefined;
  return {
    kind, trapOid,
    ...(ifIndex !== undefined ? { ifIndex } : {}),
    ...(agentAddress ? { agentAddress } : {}),
    ...(adminUp !== undefined ? { adminUp } : {}),
  };
}
