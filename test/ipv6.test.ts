import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpCollector } from '../src/collectors/http/http-collector.js';
import { IcmpCollector } from '../src/collectors/icmp/icmp-collector.js';
import { SnmpCollector } from '../src/collectors/snmp/snmp-collector.js';
import { TcpCollector } from '../src/collectors/tcp/tcp-collector.js';
import { targetSchema } from '../src/config/schema.js';
import { httpProbe } from '../src/collectors/http/http-config.js';
import { snmpTarget, type SnmpConfig } from '../src/collectors/snmp/snmp-config.js';
import { silentLogger } from '../src/core/logger.js';
import type { Target } from '../src/core/target.js';
import { eventually, startKpid, type KpidProcess } from './helpers/kpid-process.js';
import { startStaticSnmpd, type StaticSnmpd } from './helpers/snmpd-static.js';

const ACTIVE_CALLS = '1.3.6.1.4.1.99999.1.4.0';
const signal = new AbortController().signal;
const target = (address: string, snmp?: SnmpConfig): Target =>
  ({ name: 'v6-host', site: 'lab', address, labels: {}, interval: 30_000, timeout: 10_000, probes: [], ...(snmp ? { snmp } : {}) });

/** Listens on [::1] only, so an answer proves the probe went over IPv6. */
async function listenV6<S extends Server | HttpServer>(server: S): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '::1', r));
  return (server.address() as { port: number }).port;
}

describe('IPv6 targets on ::1: ICMP (fping), TCP, HTTP and SNMP (snmpd on udp6)', () => {
  let agent: StaticSnmpd;
  let tcp: Server;
  let tcpPort: number;
  let web: HttpServer;
  let webPort: number;

  beforeAll(async () => {
    agent = await startStaticSnmpd('::1', [{ oid: ACTIVE_CALLS, type: 'gauge', value: 4242 }]);
    tcp = createServer((s) => s.end());
    tcpPort = await listenV6(tcp);
    web = createHttpServer((_req, res) => res.writeHead(204).end());
    webPort = await listenV6(web);
  });
  afterAll(async () => {
    await agent?.stop();
    tcp?.close();
    web?.close();
  });

  it('an address written in brackets, as in URLs, is the bare IPv6 address', () => {
    expect(targetSchema.parse({ name: 'r1', address: '[::1]' }).address).toBe('::1');
    expect(targetSchema.parse({ name: 'r1', address: '2001:db8::7' }).address).toBe('2001:db8::7');
    expect(targetSchema.parse({ name: 'r1', address: 'router.example.net' }).address).toBe('router.example.net');
  });

  it('ICMP: fping answers every echo to ::1', async () => {
    const icmp = new IcmpCollector();
    try {
      const [s] = await icmp.collect(target('::1'), { type: 'icmp', name: 'icmp', count: 5, spacing: 20, reply_timeout: 500 }, signal);
      expect(s!.fields).toMatchObject({ success: 1, sent: 5, received: 5, loss_ratio: 0 });
    } finally {
      await icmp.close();
    }
  });

  it('TCP: connects to a port listening on ::1 only; a closed port is a failed probe', async () => {
    const collector = new TcpCollector();
    const [open] = await collector.collect(target('::1'), { type: 'tcp', name: 'svc', port: tcpPort }, signal);
    expect(open!.fields.success).toBe(1);
    const closed = await new Promise<number>((r) => {
      const s = createServer();
      s.listen(0, '::1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => r(port));
      });
    });
    const [refused] = await collector.collect(target('::1'), { type: 'tcp', name: 'svc', port: closed }, signal);
    expect(refused!.fields).toEqual({ success: 0 });
  });

  it('HTTP: {address} in the URL becomes [::1]', async () => {
    const spec = { ...httpProbe.parse({ type: 'http', url: `http://{address}:${webPort}/` }), name: 'web' };
    const [s] = await new HttpCollector().collect(target('::1'), spec, signal);
    expect(s!.fields).toMatchObject({ success: 1, status_code: 204 });
  });

  it('SNMP: polls snmpd listening on udp6 [::1] and reads the served value', async () => {
    const collector = new SnmpCollector({ log: silentLogger() });
    try {
      const spec = snmpTarget.parse({
        version: '2c', community: 'public', port: agent.port, modules: ['system', 'custom'],
        custom: [{ measurement: 'voice', fields: { active_calls: { oid: ACTIVE_CALLS, type: 'gauge' } } }],
      });
      const samples = await collector.collect(target('::1', spec), spec, signal);
      expect(samples.find((s) => s.measurement === 'voice')?.fields).toEqual({ active_calls: 4242 });
      expect(samples.find((s) => s.measurement === 'device')?.fields.up).toBe(1);
    } finally {
      await collector.close();
    }
  });

  describe('the daemon, configured with an IPv6 target written [::1] and listening on [::1]', () => {
    let kpid: KpidProcess;

    beforeAll(async () => {
      kpid = await startKpid(`
server: { listen: "[::1]:0" }
defaults: { interval: 1s, timeout: 900ms }
targets:
  - name: v6-router
    site: lab
    address: "[::1]"
    snmp: { version: 2c, community: public, port: ${agent.port}, modules: [system] }
    probes:
      - { type: icmp, count: 3, spacing: 20ms, reply_timeout: 500ms }
      - { type: tcp, port: ${tcpPort} }
      - { type: http, name: web, url: "http://{address}:${webPort}/" }
`);
    });
    afterAll(async () => {
      await kpid?.stop();
    });

    it('serves its API on an IPv6 URL and reports every probe up and the SNMP agent\'s uptime', async () => {
      expect(kpid.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
      const wanted = [
        'kpid_target_up{target="v6-router",site="lab"} 1',
        'kpid_probe_success{target="v6-router",probe="icmp"} 1',
        `kpid_probe_success{target="v6-router",probe="tcp:${tcpPort}"} 1`,
        'kpid_probe_success{target="v6-router",probe="web"} 1',
      ];
      // The SNMP poll's own evidence: the agent's uptime, read over udp6.
      const snmpUptime = /^kpid_device_uptime_seconds\{target="v6-router",site="lab"\} \d/m;
      const metrics = await eventually(async () => {
        const text = await kpid.metrics();
        return wanted.every((line) => text.includes(line)) && snmpUptime.test(text) && text;
      }, 20_000).catch(async (err) => {
        throw new Error(`${(err as Error).message}\n${(await kpid.metrics()).split('\n').filter((l) => l.includes('v6-router')).join('\n')}`);
      });
      for (const line of wanted) expect(metrics).toContain(line);
      expect(metrics).toMatch(snmpUptime);
    });
  });
});
