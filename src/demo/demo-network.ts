import { createSocket } from 'node:dgram';
import { freeUdpPort } from './free-ports.js';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import type { Clock } from '../core/clock.js';
import { startDeviceAgent, type DeviceAgent } from './device-agent.js';
import { SimulatedDevice, type DeviceSpec } from './simulated-device.js';

/**
 * The demo's network: three routers, a voice switch and a web portal, each
 * on its own loopback address (127.0.0.x, Linux; 127.0.0.1 elsewhere). The
 * routers and the switch answer SNMP; every box also runs a TCP service
 * (SSH, SIP) that kpid probes, and the portal an HTTP health page. Powering a
 * device off silences its agent and closes its services, so kpid sees it
 * exactly as it would see a dead box.
 */
export interface NetworkHost {
  readonly device?: SimulatedDevice;
  readonly name: string;
  readonly site: string;
  readonly role: string;
  readonly address: string;
  /** SNMP agent port, when the host is polled. */
  readonly snmpPort?: number;
  /** A TCP service probed by kpid: name and port. */
  readonly service?: { readonly name: string; readonly port: number };
  /** The portal's health URL. */
  readonly httpUrl?: string;
  /** Echo replies come from the kernel, so only hosts that never go down get an ICMP probe. */
  readonly icmp: boolean;
}

const G = 1_000;
const DEVICES: ReadonlyArray<DeviceSpec & { role: string; last: number; service: string; icmp: boolean }> = [
  {
    name: 'core-1', site: 'beijing', role: 'core router', last: 11, service: 'ssh', icmp: true,
    descr: 'kpid demo core router',
    interfaces: [
      { index: 1, name: 'xe-0/0/0', alias: 'to core-2', speedMbps: 10 * G, inUtil: 0.34, outUtil: 0.31 },
      { index: 2, name: 'xe-0/0/1', alias: 'CUST metro ring east', speedMbps: 10 * G, inUtil: 0.55, outUtil: 0.42 },
      { index: 3, name: 'xe-0/0/2', alias: 'to edge-1', speedMbps: 10 * G, inUtil: 0.18, outUtil: 0.22 },
    ],
  },
  {
    name: 'core-2', site: 'beijing', role: 'core router', last: 12, service: 'ssh', icmp: false,
    descr: 'kpid demo core router',
    interfaces: [
      { index: 1, name: 'et-0/0/0', alias: 'to core-1', speedMbps: 100 * G, inUtil: 0.21, outUtil: 0.24 },
      { index: 2, name: 'et-0/0/1', alias: 'to voice-sw-1', speedMbps: 100 * G, inUtil: 0.12, outUtil: 0.1 },
      { index: 3, name: 'et-0/0/2', alias: 'long-haul fibre to shanghai', speedMbps: 100 * G, inUtil: 0.38, outUtil: 0.35 },
    ],
  },
  {
    name: 'edge-1', site: 'shanghai', role: 'edge router', last: 13, service: 'ssh', icmp: false,
    descr: 'kpid demo edge router',
    interfaces: [
      { index: 1, name: 'ge-0/0/0', alias: 'uplink', speedMbps: G, inUtil: 0.41, outUtil: 0.29 },
      { index: 2, name: 'ge-0/0/1', alias: 'CUST enterprise A', speedMbps: G, inUtil: 0.26, outUtil: 0.33 },
    ],
  },
  {
    name: 'voice-sw-1', site: 'beijing', role: 'voice switch', last: 21, service: 'sip', icmp: true,
    descr: 'kpid demo voice switch',
    interfaces: [{ index: 1, name: 'Gi0/1', alias: 'trunk to core-2', speedMbps: G, inUtil: 0.22, outUtil: 0.2 }],
    voice: { attemptsPerSecond: 12, answered: 0.975, dropped: 0.001, holdSeconds: 110 },
  },
];

export class DemoNetwork {
  readonly hosts: NetworkHost[] = [];
  private readonly agents: DeviceAgent[] = [];
  private readonly services = new Map<string, ServicePort>();
  private portal?: Server;

  private constructor(private readonly clock: Clock) {}

  static async start(clock: Clock): Promise<DemoNetwork> {
    const net = new DemoNetwork(clock);
    try {
      await net.build();
    } catch (err) {
      await net.stop();
      throw err;
    }
    return net;
  }

  device(name: string): SimulatedDevice {
    const d = this.hosts.find((h) => h.name === name)?.device;
    if (!d) throw new Error(`no simulated device ${name}`);
    return d;
  }

  /** The device stops answering anything: SNMP, its TCP service. */
  async powerOff(name: string): Promise<void> {
    this.device(name).powerOff();
    await this.services.get(name)?.close();
  }

  /** The device boots again (counters and sysUpTime start from zero) and its services come back. */
  async powerOn(name: string): Promise<void> {
    this.device(name).powerOn(this.clock.now());
    await this.services.get(name)?.open();
  }

  async stop(): Promise<void> {
    await Promise.allSettled([
      ...this.agents.map((a) => a.close()),
      ...[...this.services.values()].map((s) => s.close()),
      new Promise<void>((r) => (this.portal ? this.portal.close(() => r()) : r())),
    ]);
  }

  private async build(): Promise<void> {
    const distinct = await canBind('127.0.0.11');
    const addr = (last: number) => (distinct ? `127.0.0.${last}` : '127.0.0.1');
    for (const spec of DEVICES) {
      const address = addr(spec.last);
      const device = new SimulatedDevice(spec, this.clock.now());
      const port = await freeUdpPort(address);
      this.agents.push(await startDeviceAgent(device, this.clock, address, port));
      const service = await ServicePort.open(address);
      this.services.set(spec.name, service);
      this.hosts.push({
        device, name: spec.name, site: spec.site, role: spec.role, address, snmpPort: port,
        service: { name: spec.service, port: service.port }, icmp: spec.icmp,
      });
    }
    const address = addr(31);
    this.portal = createHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n'));
    const server = this.portal;
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, address, resolve));
    const port = (server.address() as { port: number }).port;
    this.hosts.push({
      name: 'portal', site: 'beijing', role: 'customer web portal', address,
      httpUrl: `http://${address}:${port}/health`, icmp: true,
    });
  }
}

/** A TCP listener that can be closed (connections refused) and opened again on the same port. */
class ServicePort {
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  private constructor(readonly address: string, public port: number) {}

  static async open(address: string): Promise<ServicePort> {
    const s = new ServicePort(address, 0);
    await s.open();
    return s;
  }

  async open(): Promise<void> {
    if (this.server) return;
    const server = createTcpServer((sock) => {
      this.sockets.add(sock);
      sock.on('close', () => this.sockets.delete(sock)).on('error', () => {});
      sock.end();
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(this.port, this.address, resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

async function canBind(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(0, address, () => s.close(() => resolve(true)));
  });
}
