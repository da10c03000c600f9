import snmp, { type Agent, type Varbind } from 'net-snmp';
import { freeUdpPort } from '../../src/demo/free-ports.js';
import { registerIfMib, u64 } from '../../src/demo/if-mib.js';

/** One interface of the crafted agent; counters are set by the test, not by time. */
export interface CraftedInterface {
  index: number;
  name: string;
  /** ifHighSpeed, Mbit/s. */
  highSpeed: number;
  hcIn: bigint;
  hcOut: bigint;
  /** ifInOctets / ifOutOctets, 32-bit. */
  in32: number;
  out32: number;
}

/**
 * net-snmp's own Agent, in-process, for answers no healthy agent gives:
 * counters and sysUpTime set exactly by the test, Counter64 values encoded
 * in their minimal length as real agents do (5 bytes for 2^32, 9 for
 * values ≥ 2^63), and a mode that answers GETBULK with OIDs that do not
 * increase.
 */
export interface CraftedAgent {
  readonly port: number;
  uptimeTicks: number;
  /** When true, every GETBULK answer repeats its first OID: a looping agent. */
  looping: boolean;
  set(iface: CraftedInterface): void;
  close(): Promise<void>;
}

/** Content octets of an unsigned BER INTEGER: no leading zeros, one 0x00 if the top bit is set. */
export function minimalCounter64(v: bigint): Buffer {
  let hex = v.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  const buf = Buffer.from(hex, 'hex');
  return buf[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), buf]) : buf;
}

export async function startCraftedAgent(): Promise<CraftedAgent> {
  const port = await freeUdpPort();
  const agent: Agent = snmp.createAgent({ port, address: '127.0.0.1', disableAuthorization: true }, () => {});
  agent.getAuthorizer().addCommunity('public');
  const mib = agent.getMib();
  const ro = snmp.MaxAccess['read-only'];
  const T = snmp.ObjectType;
  mib.registerProvider({ name: 'sysUpTime', type: snmp.MibProviderType.Scalar!, oid: '1.3.6.1.2.1.1.3', scalarType: T.TimeTicks, maxAccess: ro });
  registerIfMib(mib, ['ifIndex', 'ifDescr', 'ifAdminStatus', 'ifOperStatus', 'ifInOctets', 'ifOutOctets'], ['ifName', 'ifHCInOctets', 'ifHCOutOctets', 'ifHighSpeed']);
  const state = { uptimeTicks: 0, looping: false };
  const rows = new Set<number>();
  const send = agent.sendResponse.bind(agent);
  agent.sendResponse = (socket, rinfo, request, pdu) => {
    mib.setScalarValue('sysUpTime', state.uptimeTicks);
    for (const vb of pdu.varbinds) {
      // The mib holds 8-byte buffers; real agents send the minimal encoding.
      if (vb.type === T.Counter64 && Buffer.isBuffer(vb.value)) vb.value = minimalCounter64(vb.value.readBigUInt64BE());
    }
    const type = (request as { pdu: { type: number } }).pdu.type;
    if (state.looping && type === 165 && pdu.varbinds.length > 1) {
      const first: Varbind = pdu.varbinds[0]!;
      pdu.varbinds = pdu.varbinds.map(() => ({ ...first }));
    }
    send(socket, rinfo, request, pdu);
  };
  // sysUpTime is read before any table, but the mib answers GETs itself: keep it current.
  const origGet = (agent as unknown as { getRequest: (...a: unknown[]) => void }).getRequest.bind(agent);
  (agent as unknown as { getRequest: (...a: unknown[]) => void }).getRequest = (...a: unknown[]) => {
    mib.setScalarValue('sysUpTime', state.uptimeTicks);
    origGet(...a);
  };
  return {
    port,
    get uptimeTicks() {
      return state.uptimeTicks;
    },
    set uptimeTicks(v: number) {
      state.uptimeTicks = v;
      mib.setScalarValue('sysUpTime', v);
    },
    get looping() {
      return state.looping;
    },
    set looping(v: boolean) {
      state.looping = v;
    },
    set(i) {
      if (!rows.has(i.index)) {
        mib.addTableRow('ifTable', [i.index, i.name, 1, 1, i.in32, i.out32]);
        mib.addTableRow('ifXTable', [i.name, u64(i.hcIn), u64(i.hcOut), i.highSpeed, i.index]);
        rows.add(i.index);
        return;
      }
      mib.setTableSingleCell('ifTable', 10, [i.index], i.in32);
      mib.setTableSingleCell('ifTable', 16, [i.index], i.out32);
      mib.setTableSingleCell('ifXTable', 6, [i.index], u64(i.hcIn));
      mib.setTableSingleCell('ifXTable', 10, [i.index], u64(i.hcOut));
      mib.setTableSingleCell('ifXTable', 15, [i.index], i.highSpeed);
    },
    close: () => new Promise<void>((resolve) => agent.close(() => resolve())),
  };
}
