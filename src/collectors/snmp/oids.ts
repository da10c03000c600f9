/**
 * Numeric OIDs kpid reads. No MIB files are loaded (the MIB package is
 * non-free on Debian), so names live here, once.
 */

/** SNMPv2-MIB system group, instance `.0`. */
export const SYSTEM = {
  sysDescr: '1.3.6.1.2.1.1.1.0',
  sysUpTime: '1.3.6.1.2.1.1.3.0',
  sysName: '1.3.6.1.2.1.1.5.0',
} as const;

/** SNMP-FRAMEWORK-MIB: restarts of the SNMP engine (RFC 3411), read for v3 reboot detection. */
export const SNMP_ENGINE_BOOTS = '1.3.6.1.6.3.10.2.1.2.0';

const IF = '1.3.6.1.2.1.2.2.1';
const IFX = '1.3.6.1.2.1.31.1.1.1';

/** IF-MIB columns (RFC 2863): ifTable `1.3.6.1.2.1.2.2.1.N`, ifXTable `1.3.6.1.2.1.31.1.1.1.N`. */
export const IF_MIB = {
  ifDescr: `${IF}.2`,
  ifSpeed: `${IF}.5`,
  ifAdminStatus: `${IF}.7`,
  ifOperStatus: `${IF}.8`,
  ifInOctets: `${IF}.10`,
  ifInUcastPkts: `${IF}.11`,
  ifInNUcastPkts: `${IF}.12`,
  ifInDiscards: `${IF}.13`,
  ifInErrors: `${IF}.14`,
  ifOutOctets: `${IF}.16`,
  ifOutUcastPkts: `${IF}.17`,
  ifOutNUcastPkts: `${IF}.18`,
  ifOutDiscards: `${IF}.19`,
  ifOutErrors: `${IF}.20`,
  ifName: `${IFX}.1`,
  ifHCInOctets: `${IFX}.6`,
  ifHCInUcastPkts: `${IFX}.7`,
  ifHCInMulticastPkts: `${IFX}.8`,
  ifHCInBroadcastPkts: `${IFX}.9`,
  ifHCOutOctets: `${IFX}.10`,
  ifHCOutUcastPkts: `${IFX}.11`,
  ifHCOutMulticastPkts: `${IFX}.12`,
  ifHCOutBroadcastPkts: `${IFX}.13`,
  ifHighSpeed: `${IFX}.15`,
  ifAlias: `${IFX}.18`,
} as const;

export type IfMibColumn = keyof typeof IF_MIB;

/** ifAdminStatus / ifOperStatus values (RFC 2863). */
export const IF_STATUS = { up: 1, down: 2, testing: 3 } as const;
