import type { Socket } from 'node:dgram';
import snmp, { type Agent, type Mib } from 'net-snmp';
import type { Clock } from '../core/clock.js';
import { registerIfMib, u64 } from './if-mib.js';
import type { SimulatedDevice } from './simulated-device.js';

/**
 * A simulated device's SNMP agent: net-snmp's in-process Agent serving the
 * system group, IF-MIB (ifTable + ifXTable with 64-bit counters) and, for a
 * voice switch, call counters under the enterprise arc that
 * config/examples/voice-switch.yaml uses. Every value is read from the
 * device on demo time just before each request is answered, so the rates
 * kpid computes match what the fault script set. While the device is
 * powered off the agent drops requests, as a dead box would.
 */
export interface DeviceAgent {
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Switch-wide call counters, scalars `.0`: attempts, answered, dropped, active (a gauge). */
export const VOICE_OIDS = {
  attempts: '1.3.6.1.4.1.99999.1.1',
  answered: '1.3.6.1.4.1.99999.1.2',
  dropped: '1.3.6.1.4.1.99999.1.3',
  active: '1.3.6.1.4.1.99999.1.4',
} as const;

const UP = 1;
const DOWN = 2;

export async function startDeviceAgent(device: SimulatedDevice, clock: Clock, address: string, port: number): Promise<DeviceAgent> {
  let bindError: Error | undefined;
  const agent = snmp.createAgent({ port, address, disableAuthorization: true }, (err) => {
    bindError ??= err ?? undefined;
  });
  const socket = agentSocket(agent);
  await new Promise<void>((resolve, reject) => {
    socket.once('listening', resolve);
    socket.once('error', reject);
  }).catch((err: Error) => {
    throw new Error(`simulated ${device.name}: cannot listen on udp ${address}:${port}: ${err.message ?? bindError}`);
  });
  agent.getAuthorizer().addCommunity('public');
  const mib = agent.getMib();
  register(mib, device);
  const refresh = () => serve(mib, device, clock.now());
  refresh();

  // Runs before net-snmp reads the request: fresh values, or silence when powered off.
  const handlers = socket.listeners('message') as Array<(...a: unknown[]) => void>;
  socket.removeAllListeners('message');
  socket.on('message', (...args: unknown[]) => {
    if (!device.powered) return;
    refresh();
    for (const h of handlers) h.apply(socket, args);
  });
  return {
    address,
    port,
    close: () => new Promise<void>((resolve) => agent.close(() => resolve())),
  };
}

function agentSocket(agent: Agent): Socket {
  const sockets = (agent as unknown as { listener: { sockets: Record<string, Socket> } }).listener.sockets;
  const socket = Object.values(sockets)[0];
  if (!socket) throw new Error('net-snmp agent opened no socket');
  return socket;
}

function register(mib: Mib, device: SimulatedDevice): void {
  const T = snmp.ObjectType;
  const ro = snmp.MaxAccess['read-only'];
  const scalar = (name: string, oid: string, type: number | undefined) =>
    mib.registerProvider({ name, type: snmp.MibProviderType.Scalar!, oid, scalarType: type, maxAccess: ro });
  scalar('sysDescr', '1.3.6.1.2.1.1.1', T.OctetString);
  scalar('sysUpTime', '1.3.6.1.2.1.1.3', T.TimeTicks);
  scalar('sysName', '1.3.6.1.2.1.1.5', T.OctetString);
  mib.setScalarValue('sysDescr', device.spec.descr);
  mib.setScalarValue('sysName', device.name);
  registerIfMib(mib, ['ifIndex', 'ifDescr', 'ifSpeed', 'ifAdminStatus', 'ifOperStatus', 'ifInErrors', 'ifOutErrors'],
    ['ifName', 'ifHCInOctets', 'ifHCInUcastPkts', 'ifHCOutOctets', 'ifHCOutUcastPkts', 'ifHighSpeed', 'ifAlias']);
  // Counters start at zero here; serve() sets the real values before any answer.
  for (const i of device.spec.interfaces) {
    // ifSpeed saturates at 2^32-1 above 4.29 Gbit/s; ifHighSpeed (Mbit/s) carries the truth.
    const ifSpeed = Math.min(i.speedMbps * 1e6, 0xffffffff);
    mib.addTableRow('ifTable', [i.index, i.name, ifSpeed, UP, UP, 0, 0]);
    mib.addTableRow('ifXTable', [i.name, u64(0n), u64(0n), u64(0n), u64(0n), i.speedMbps, i.alias, i.index]);
  }
  if (device.spec.voice) {
    scalar('callAttempts', VOICE_OIDS.attempts, T.Counter);
    scalar('callsAnswered', VOICE_OIDS.answered, T.Counter);
    scalar('callsDropped', VOICE_OIDS.dropped, T.Counter);
    scalar('activeCalls', VOICE_OIDS.active, T.Gauge);
  }
}

function serve(mib: Mib, device: SimulatedDevice, at: number): void {
  mib.setScalarValue('sysUpTime', device.uptimeTicks(at));
  for (const i of device.readInterfaces(at)) {
    mib.setTableSingleCell('ifTable', 8, [i.index], i.operUp ? UP : DOWN);
    mib.setTableSingleCell('ifXTable', 6, [i.index], u64(i.inOctets));
    mib.setTableSingleCell('ifXTable', 7, [i.index], u64(i.inPkts));
    mib.setTableSingleCell('ifXTable', 10, [i.index], u64(i.outOctets));
    mib.setTableSingleCell('ifXTable', 11, [i.index], u64(i.outPkts));
  }
  const v = device.readVoice(at);
  if (v) {
    mib.setScalarValue('callAttempts', v.attempts);
    mib.setScalarValue('callsAnswered', v.answered);
    mib.setScalarValue('callsDropped', v.dropped);
    mib.setScalarValue('activeCalls', v.active);
  }
}
