import { execFileSync } from 'node:child_process';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { resolve } from 'node:path';
import { startInfluxd, type Influxd } from './influxd.js';
import { eventually, startKpid, type KpidProcess } from './kpid-process.js';
import { startSnmpd, freeUdpPort, type FakeInterface, type Snmpd } from './snmpd.js';
import { TestSmtpServer } from './smtp.js';

const RULES = resolve(import.meta.dirname, '../../alert-rules/*.yaml');
const VOICE = '1.3.6.1.4.1.99999.1';

/** What the agent serves: the ground truth the dashboards' figures are checked against. */
export const UPLINK: FakeInterface = {
  index: 1, name: 'Gi0/1', alias: 'uplink', ifHighSpeed: 1000,
  inBytesPerSec: 1_250_000, outBytesPerSec: 250_000, inPktsPerSec: 1_000, outPktsPerSec: 400, inErrorsPerSec: 1,
};
/** Admin up, oper down, named must_be_up in the config: the catalogue's LinkDown fires at the first poll and opens an outage. */
export const LINK_DOWN: FakeInterface = { index: 2, name: 'Gi0/2', oper: 2, ifHighSpeed: 1000, inPktsPerSec: 0 };
/** 4 Gbit/s in on a 10G port: the busiest link. */
export const BACKBONE: FakeInterface = {
  index: 10, name: 'Te1/1', alias: 'backbone', ifSpeed: 4_294_967_295, ifHighSpeed: 10_000,
  inBytesPerSec: 500_000_000, outBytesPerSec: 62_500_000, inPktsPerSec: 400_000, outPktsPerSec: 50_000,
};
/** Calls per second on the voice switch counters: 10 % of answered calls drop. */
export const CALLS = { attempts: 200, answered: 190, dropped: 19 };
export const SERVICE_DOWN = 'bj-dc1/core-1/Gi0/2';

/**
 * kpid as it runs in production, every part active: SNMP against Debian
 * snmpd (interfaces and voice counters), ICMP, TCP, HTTP and throughput probes, the
 * trap receiver (a trap received), push ingest (a KPI pushed), the
 * catalogue rules with alerts firing and an outage open, a mail sent
 * through a real SMTP server, and samples stored in a real influxd.
 * A second target never answers, so kpid_target_up has a 0.
 */
export interface FullKpid {
  readonly kpid: KpidProcess;
  readonly snmpd: Snmpd;
  readonly influxd: Influxd;
  readonly smtp: TestSmtpServer;
  /** host:port of kpid's /metrics, for a Prometheus scrape config. */
  readonly scrapeTarget: string;
  stop(): Promise<void>;
}

export async function startFullKpid(): Promise<FullKpid> {
  const parts: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const p of parts.reverse()) await p().catch(() => undefined);
  };
  try {
    const snmpd = await startSnmpd({
      interfaces: [UPLINK, LINK_DOWN, BACKBONE],
      counters: [
        { oid: `${VOICE}.1.0`, type: 'counter', perSec: CALLS.attempts },
        { oid: `${VOICE}.2.0`, type: 'counter', perSec: CALLS.answered },
        { oid: `${VOICE}.3.0`, type: 'counter', perSec: CALLS.dropped },
      ],
    });
    parts.push(() => snmpd.stop());
    const influxd = await startInfluxd();
    parts.push(() => influxd.stop());
    const smtp = new TestSmtpServer();
    await smtp.start();
    parts.push(() => smtp.stop());
    const tcp: TcpServer = createTcpServer((s) => s.end());
    // /bulk: 4 MB, many chunks even on loopback, so a throughput probe has a goodput to report.
    const http: HttpServer = createHttpServer((req, res) => res.end(req.url === '/bulk' ? Buffer.alloc(4_000_000) : 'ok'));
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    parts.push(() => new Promise((r) => tcp.close(r)), () => new Promise((r) => http.close(r)));
    const port = (s: TcpServer | HttpServer) => (s.address() as { port: number }).port;
    const trapPort = await freeUdpPort();
    const silentPort = await freeUdpPort();

    const kpid = await startKpid(`
server: { listen: "127.0.0.1:0" }
defaults: { interval: 2s, timeout: 1500ms }
rules: [ "${RULES}" ]
traps: { listen: "127.0.0.1:${trapPort}", community: public }
storage:
  influx: { url: "${influxd.url}", database: kpid, retention: 1d, flush_interval: 200ms, spool: { dir: spool, max_bytes: 10MiB } }
notify:
  channels:
    noc-mail: { email: { smtp: { host: 127.0.0.1, port: ${smtp.port}, secure: false }, from: kpid@example.net, to: [noc@example.net] } }
  routes: [ { match: {}, channels: [noc-mail], group_wait: 200ms } ]
targets:
  - name: core-1
    site: bj-dc1
    address: 127.0.0.1
    snmp:
      community: public
      port: ${snmpd.port}
      modules: [system, interfaces, custom]
      # Down from the start, so only a must-be-up link pages (docs/rules.md, "Monitored links").
      interfaces: { must_be_up: [ { name: "^Gi0/2$" } ] }
      custom:
        - measurement: voice
          fields:
            call_attempts:  { oid: ${VOICE}.1.0, type: counter, as: delta }
            calls_answered: { oid: ${VOICE}.2.0, type: counter, as: delta }
            calls_dropped:  { oid: ${VOICE}.3.0, type: counter, as: delta }
    probes:
      - { type: icmp, count: 3, spacing: 50ms, reply_timeout: 500ms }
      - { type: tcp, port: ${port(tcp)} }
      - { type: http, url: "http://{address}:${port(http)}/health" }
      - { type: throughput, url: "http://{address}:${port(http)}/bulk", timeout: 1500ms }
  - name: edge-9
    site: sh-dc2
    address: 127.0.0.2
    snmp: { community: public, port: ${silentPort}, timeout: 200ms, retries: 0, confirm: { attempts: 0 } }
`);
    parts.push(() => kpid.stop());

    // A trap and a pushed KPI below its target: the two push paths.
    execFileSync('snmptrap', ['-Ln', '-v', '2c', '-c', 'public', `127.0.0.1:${trapPort}`, '', '1.3.6.1.6.3.1.1.5.1']);
    const pushed = await fetch(`${kpid.url}/api/v1/ingest?precision=s`, {
      method: 'POST', body: `kpi,kpi=network_coverage,scope=north value=0.95 ${Math.floor(Date.now() / 1000)}\n`,
    });
    if (pushed.status !== 200) throw new Error(`ingest answered ${pushed.status}: ${await pushed.text()}`);

    // Everything has happened once it shows on /metrics and in the mailbox.
    const evidence = [
      /kpid_interface_receive_bytes_total\{target="core-1",interface="Gi0\/1"\} [1-9]/,
      /kpid_probe_rtt_seconds\{target="core-1",probe="icmp"\}/,
      /kpid_probe_rtt_seconds\{target="core-1",probe="tcp:\d+"\}/,
      /kpid_probe_success\{target="core-1",probe="http[^"]*"\} 1/,
      /kpid_probe_success\{target="core-1",probe="throughput[^"]*"\} 1/,
      /kpid_traps_total\{result="accepted",[^}]*\} [1-9]/,
      /kpid_kpi_value\{kpi="network_coverage",scope="north"\} 0.95/,
      /kpid_target_up\{target="edge-9",site="sh-dc2"\} 0/,
      /kpid_alerts\{state="firing",severity="critical"\} [1-9]/,
      /kpid_outage_sla_remaining_seconds\{outage="[^"]+",service="bj-dc1\/core-1\/Gi0\/2"\}/,
      /kpid_notifications_total\{channel="noc-mail",result="sent"\} [1-9]/,
      /kpid_store_points_total\{[^}]*\} [1-9]/,
    ];
    await eventually(async () => {
      const text = await kpid.metrics();
      return evidence.every((re) => re.test(text)) && smtp.mails.length > 0;
    }, 45_000, 250).catch(async (err) => {
      const text = await kpid.metrics();
      throw new Error(`${(err as Error).message}; missing on /metrics: ${evidence.filter((re) => !re.test(text)).join(', ')}; mails: ${smtp.mails.length}`);
    });
    return { kpid, snmpd, influxd, smtp, scrapeTarget: new URL(kpid.url).host, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
