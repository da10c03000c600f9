import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/core/clock.js';
import { startDeviceAgent, type DeviceAgent } from '../src/demo/device-agent.js';
import { SimulatedDevice, type InterfaceSpec } from '../src/demo/simulated-device.js';
import { eventually, startKpid, type KpidProcess } from './helpers/kpid-process.js';
import { freeUdpPort } from './helpers/snmpd.js';
import { TestSmtpServer } from './helpers/smtp.js';

const RULES = resolve(import.meta.dirname, '../alert-rules/*.yaml');
const INTERVAL_S = 2;

/** A 48-port access switch: ports admin up, nothing plugged in, plus 4 uplinks in use. */
const accessPorts: InterfaceSpec[] = Array.from({ length: 48 }, (_, i) => ({
  index: i + 1, name: `ge-0/0/${i + 1}`, alias: i === 6 ? 'CORE-standby to core-2' : '', speedMbps: 1000, inUtil: 0, outUtil: 0,
}));
const uplinks: InterfaceSpec[] = Array.from({ length: 4 }, (_, i) => ({
  index: 49 + i, name: `xe-0/1/${i}`, alias: `uplink ${i}`, speedMbps: 10_000, inUtil: 0.2, outUtil: 0.1,
}));

interface AlertJson { rule: string; state: string; labels: Record<string, string> }
interface OutageJson { id: string; service: string; state: string; startedAt: string }

/**
 * A real kpid, with the shipped rules and a real SMTP server, polls the
 * in-process IF-MIB agent of src/demo (net-snmp's Agent) every 2 s. The
 * switch is healthy: an unused port is not an outage.
 */
describe('monitored links: a healthy access switch pages nobody; a used link that goes down pages once', () => {
  const smtp = new TestSmtpServer();
  const device = new SimulatedDevice({ name: 'acc-1', site: 'dc1', descr: 'access switch', interfaces: [...accessPorts, ...uplinks] }, Date.now());
  for (const p of accessPorts) device.setLink(p.name, false, Date.now());
  const db = join(mkdtempSync(join(tmpdir(), 'kpid-links-')), 'state.db');
  let agent: DeviceAgent;
  let kpid: KpidProcess;
  const config = (port: number, interfaces = '{}') => `server: { listen: "127.0.0.1:0" }
state: { sqlite: "${db}" }
defaults: { interval: ${INTERVAL_S}s, timeout: 1s }
rules: [ "${RULES}" ]
notify:
  channels:
    noc-mail: { email: { smtp: { host: 127.0.0.1, port: ${smtp.port}, secure: false }, from: kpid@example.net, to: [noc@example.net] } }
  routes: [ { match: {}, channels: [noc-mail], group_wait: 0s, group_interval: 100ms, repeat: 1h } ]
targets:
  - { name: acc-1, site: dc1, address: 127.0.0.1, snmp: { community: public, port: ${port}, timeout: 1s, retries: 0, interfaces: ${interfaces} } }
`;
  const get = async <T>(path: string): Promise<T> => (await fetch(`${kpid.url}${path}`)).json() as Promise<T>;
  const firing = async () => (await get<{ alerts: AlertJson[] }>('/api/v1/alerts')).alerts.filter((a) => a.state === 'firing');
  const openOutages = async () => (await get<{ outages: OutageJson[] }>('/api/v1/outages')).outages.filter((o) => o.state === 'open');
  const linkDownMails = () => smtp.mails.filter((m) => /LinkDown/.test(m.raw));
  /** SNMP polls answered so far by this kpid process. */
  const polls = async () => Number(/kpid_collector_duration_seconds_count\{[^}]*collector="snmp"[^}]*\} (\d+)/.exec(await kpid.metrics())?.[1] ?? 0);
  const afterPolls = async (n: number) => {
    const from = await polls();
    await eventually(async () => (await polls()) >= from + n, (n + 3) * INTERVAL_S * 1000 + 10_000, 200);
  };

  beforeAll(async () => {
    await smtp.start();
    agent = await startDeviceAgent(device, systemClock, '127.0.0.1', await freeUdpPort());
    kpid = await startKpid(config(agent.port));
  }, 60_000);
  afterAll(async () => {
    await kpid?.stop();
    await agent?.close();
    await smtp.stop();
  });

  it('five polls of 48 unused ports and 4 uplinks: 0 alerts, 0 outages, 0 mails', async () => {
    await afterPolls(5);
    // All 52 ports were polled, 48 of them oper down.
    const metrics = await kpid.metrics();
    expect(metrics.match(/^kpid_interface_oper_up\{[^}]*target="acc-1"[^}]*\} 0$/gm)).toHaveLength(48);
    expect(metrics.match(/^kpid_interface_oper_up\{[^}]*target="acc-1"[^}]*\} 1$/gm)).toHaveLength(4);
    expect(await firing()).toEqual([]);
    expect(await openOutages()).toEqual([]);
    expect(smtp.mails).toHaveLength(0);
  }, 60_000);

  it('an uplink that goes down: exactly one LinkDown, one outage, one mail', async () => {
    device.setLink('xe-0/1/2', false, Date.now());
    await eventually(() => linkDownMails()[0], 20_000, 50);
    await afterPolls(2);
    const alerts = await firing();
    expect(alerts.map((a) => [a.rule, a.labels.interface])).toEqual([['LinkDown', 'xe-0/1/2']]);
    expect((await openOutages()).map((o) => o.service)).toEqual(['dc1/acc-1/xe-0/1/2']);
    expect(smtp.mails).toHaveLength(1);
  }, 60_000);

  it('a restart during that outage does not forget it, nor a link cut while kpid was down; a must-be-up port down from the start pages', async () => {
    const [before] = await openOutages();
    expect(await kpid.stop()).toBe(0);
    // Cut while no kpid runs: only the stored "seen up" says this was a link in use.
    device.setLink('xe-0/1/3', false, Date.now());
    // Restarted with a matcher on the alias, as Zabbix and LibreNMS users select links.
    kpid = await startKpid(config(agent.port, '{ must_be_up: [ { alias: "^CORE-" } ] }'));
    await eventually(() => linkDownMails().find((m) => /ge-0\/0\/7/.test(m.raw)), 20_000, 50);
    await afterPolls(3);
    const alerts = await firing();
    expect(alerts.map((a) => `${a.rule} ${a.labels.interface}`).sort()).toEqual(['LinkDown ge-0/0/7', 'LinkDown xe-0/1/2', 'LinkDown xe-0/1/3']);
    const outages = await openOutages();
    expect(outages.map((o) => o.service).sort()).toEqual(['dc1/acc-1/ge-0/0/7', 'dc1/acc-1/xe-0/1/2', 'dc1/acc-1/xe-0/1/3']);
    // The same outage, still open from the same instant: the clock was not restarted.
    expect(outages.find((o) => o.service === 'dc1/acc-1/xe-0/1/2')).toMatchObject({ id: before!.id, startedAt: before!.startedAt });
    // One page per link: the first uplink's was not sent again after the restart.
    expect(linkDownMails().map((m) => /xe-0\/1\/\d|ge-0\/0\/\d+/.exec(m.raw)?.[0]).sort()).toEqual(['ge-0/0/7', 'xe-0/1/2', 'xe-0/1/3']);
    expect(smtp.mails).toHaveLength(3);
  }, 90_000);
});
