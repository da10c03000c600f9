// End-to-end alert latency: from the instant an SNMP agent's interface goes
// oper-down to the instant an SMTP server accepts the mail saying so, at a
// 10 s poll interval. kpid runs as a real process (`node dist/cli.js run`)
// with the catalogue rules (alert-rules/*.yaml, LinkDown) and one email
// route with group_wait 1s. The anchor is Prometheus scraping
// prometheus-snmp-exporter (ifOperStatus) every 10 s with an alert rule
// `for: 0s`, evaluated every 1m (default) and every 1s (tuned), on the same
// agent and the same faults, and Alertmanager (group_wait 30s default, 1s
// tuned) mailing the same SMTP server.
//
// Alertmanager is a Debian package (prometheus-alertmanager). When it is not
// installed, each Prometheus sends its alerts to a loopback receiver of the
// bench's own that speaks Alertmanager's POST /api/v2/alerts, and the bench
// reports Prometheus's hand-off time, which Alertmanager's group_wait and
// SMTP would only add to: a lower bound, printed as such.
//
// Everything listens on 127.0.0.1. Faults are spaced so each is independent:
// the link comes back up and every system reports it resolved before the
// next fault, which starts after a random pause so it falls at a random
// phase of each poller's cycle.
//
//   npm run build && node bench/alert-latency.bench.mjs
//   FAULTS=10 ANCHOR=0 node bench/alert-latency.bench.mjs    # kpid only
//   SCENARIO=death DEATHS=10 node bench/alert-latency.bench.mjs    # device death (bench/device-death.mjs)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import snmp from 'net-snmp';
import { fmt, median } from './lib.mjs';
import {
  IF_OPER, freeTcpPort, freeUdpPort, sleep, spawnLogged, startAlertmanager, startAlertReceiver, startExporter, startPrometheus, startSmtp, stop, waitFor, which,
} from './latency-anchors.mjs';
import { deviceDeath } from './device-death.mjs';

const FAULTS = Number(process.env.FAULTS ?? 10);
const POLL_S = 10;
const ANCHOR = process.env.ANCHOR !== '0';
const SEED = Number(process.env.SEED ?? 5);
const ROOT = resolve(import.meta.dirname, '..');

const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil(0.9 * xs.length) - 1)];
// A seeded generator so a rerun picks the same pauses.
let seed = SEED;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

/** net-snmp's agent with one interface whose ifOperStatus the bench flips. */
async function startAgent() {
  const port = await freeUdpPort();
  const agent = snmp.createAgent({ port, address: '127.0.0.1', disableAuthorization: true }, () => {});
  agent.getAuthorizer().addCommunity('public');
  const mib = agent.getMib();
  const T = snmp.ObjectType;
  const ro = snmp.MaxAccess['read-only'];
  const na = snmp.MaxAccess['not-accessible'];
  const started = Date.now();
  mib.registerProvider({ name: 'sysUpTime', type: snmp.MibProviderType.Scalar, oid: '1.3.6.1.2.1.1.3', scalarType: T.TimeTicks, maxAccess: ro });
  // Kept current: kpid reads sysUpTime to notice agent restarts.
  const ticker = setInterval(() => mib.setScalarValue('sysUpTime', Math.floor((Date.now() - started) / 10)), 500);
  mib.registerProvider({
    name: 'ifTable', type: snmp.MibProviderType.Table, oid: '1.3.6.1.2.1.2.2.1', maxAccess: na,
    tableColumns: [
      { number: 1, name: 'ifIndex', type: T.Integer, maxAccess: ro },
      { number: 2, name: 'ifDescr', type: T.OctetString, maxAccess: ro },
      { number: 7, name: 'ifAdminStatus', type: T.Integer, maxAccess: ro },
      { number: 8, name: 'ifOperStatus', type: T.Integer, maxAccess: ro },
    ],
    tableIndex: [{ columnName: 'ifIndex' }],
  });
  mib.registerProvider({
    name: 'ifXTable', type: snmp.MibProviderType.Table, oid: '1.3.6.1.2.1.31.1.1.1', maxAccess: na,
    tableColumns: [
      { number: 1, name: 'ifName', type: T.OctetString, maxAccess: ro },
      { number: 6, name: 'ifHCInOctets', type: T.Counter64, maxAccess: ro },
      { number: 10, name: 'ifHCOutOctets', type: T.Counter64, maxAccess: ro },
      { number: 15, name: 'ifHighSpeed', type: T.Gauge, maxAccess: ro },
      { number: 30, name: 'ifXIndex', type: T.Integer, maxAccess: na },
    ],
    tableIndex: [{ columnName: 'ifXIndex' }],
  });
  mib.setScalarValue('sysUpTime', 0);
  mib.addTableRow('ifTable', [1, 'ge-0/0/1', 1, 1]);
  // When each answer saying "down" left the agent: the poll that saw the fault.
  const downAnswers = [];
  const send = agent.sendResponse.bind(agent);
  agent.sendResponse = (socket, rinfo, request, pdu) => {
    if (pdu.varbinds.some((vb) => vb.oid === `${IF_OPER}.1` && vb.value === 2)) downAnswers.push(Date.now());
    send(socket, rinfo, request, pdu);
  };
  mib.addTableRow('ifXTable', ['ge-0/0/1', Buffer.alloc(8), Buffer.alloc(8), 1000, 1]);
  return {
    port,
    /** The first answer saying "down" sent at or after `since`. */
    seenDown: (since) => downAnswers.find((t) => t >= since),
    /** Sets ifOperStatus (1 up, 2 down) and returns the instant it took effect. */
    setOper(up) {
      mib.setTableSingleCell('ifTable', 8, [1], up ? 1 : 2);
      return Date.now();
    },
    close: () => { clearInterval(ticker); return new Promise((ok) => agent.close(() => ok())); },
  };
}

async function startKpid(dir, agentPort, smtpPort) {
  const port = await freeTcpPort();
  const config = join(dir, 'kpid.yaml');
  writeFileSync(config, `
server: { listen: "127.0.0.1:${port}" }
state: { sqlite: "${join(dir, 'kpid.db')}" }
defaults: { interval: ${POLL_S}s, timeout: 2s }
rules: [ "${ROOT}/alert-rules/*.yaml" ]
notify:
  channels:
    noc-mail: { email: { smtp: { host: 127.0.0.1, port: ${smtpPort}, secure: false, starttls: off }, from: kpid@example.net, to: [noc@example.net] } }
  # group_interval only speeds up the resolved mails between faults; a new alert waits group_wait.
  routes: [ { match: {}, channels: [noc-mail], group_wait: 1s, group_interval: 1s } ]
targets:
  - { name: edge-1, site: bench, address: 127.0.0.1, snmp: { version: 2c, community: public, port: ${agentPort}, timeout: 2s, retries: 0, modules: [interfaces] } }
`);
  const p = spawnLogged('kpid', process.execPath, [join(ROOT, 'dist/cli.js'), 'run', '-c', config], { cwd: dir });
  p.url = `http://127.0.0.1:${port}`;
  await waitFor('kpid polling the agent', async () => (await (await fetch(`${p.url}/metrics`)).text()).includes('kpid_interface_oper_up{'), 30_000, 200);
  return p;
}

function summary(name, xs, kpidMedian) {
  const m = median(xs);
  const ratio = kpidMedian ? `${fmt(m / kpidMedian, 3)}×` : '1×';
  return `${name.padEnd(44)} | ${String(xs.length).padStart(2)} | ${fmt(m, 3).padStart(6)} | ${fmt(p90(xs), 3).padStart(6)} | ${fmt(Math.min(...xs), 3).padStart(6)} | ${fmt(Math.max(...xs), 3).padStart(6)} | ${ratio}`;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'kpid-latency-bench-'));
  const started = [];
  let agent, smtp, receiver;
  try {
    agent = await startAgent();
    smtp = await startSmtp();
    const kpid = await startKpid(dir, agent.port, smtp.port);
    started.push(kpid);

    // Each system: how to tell, from what it has sent since `since`, that it announced the fault or its end.
    const systems = [{
      name: `kpid (poll ${POLL_S}s, group_wait 1s)`,
      fired: (since) => smtp.mails.find((m) => m.at >= since && m.from === 'kpid@example.net' && /\[FIRING\].*LinkDown/.test(m.subject))?.at,
      resolved: (since) => smtp.mails.find((m) => m.at >= since && m.from === 'kpid@example.net' && /\[RESOLVED\].*LinkDown/.test(m.subject))?.at,
      timeout: 60_000,
    }];

    const amBin = which('alertmanager') ?? which('prometheus-alertmanager');
    let anchorNote = '';
    if (ANCHOR && which('prometheus') && which('prometheus-snmp-exporter')) {
      const exporter = await startExporter(dir);
      started.push(exporter);
      if (!amBin) receiver = await startAlertReceiver();
      for (const [anchor, evaluation, groupWait, groupInterval] of [['default', '1m', '30s', '5m'], ['tuned', '1s', '1s', '1s']]) {
        let target = receiver?.address;
        if (amBin) {
          const am = await startAlertmanager(amBin, dir, anchor, groupWait, groupInterval, smtp.port);
          started.push(am);
          target = am.address;
        }
        started.push(await startPrometheus(dir, anchor, evaluation, exporter, agent.port, target, POLL_S));
        const label = amBin
          ? `Prometheus ${anchor} (eval ${evaluation}) + Alertmanager (group_wait ${groupWait})`
          : `Prometheus ${anchor} (eval ${evaluation}) → alert hand-off`;
        systems.push(amBin ? {
          name: label,
          fired: (since) => smtp.mails.find((m) => m.at >= since && m.from === `am-${anchor}@example.net` && /\[FIRING/.test(m.subject))?.at,
          resolved: (since) => smtp.mails.find((m) => m.at >= since && m.from === `am-${anchor}@example.net` && /\[RESOLVED/.test(m.subject))?.at,
          // Alertmanager sends a resolution at the group's next group_interval (5m by default).
          timeout: anchor === 'default' ? 420_000 : 180_000,
        } : {
          name: label,
          fired: (since) => receiver.alerts.find((a) => a.at >= since && a.anchor === anchor && !a.resolved)?.at,
          resolved: (since) => receiver.alerts.find((a) => a.at >= since && a.anchor === anchor && a.resolved)?.at,
          timeout: 180_000,
          groupWait: Number.parseInt(groupWait, 10),
        });
      }
      anchorNote = amBin ? '' : 'Alertmanager is not installed (prometheus-alertmanager): Prometheus rows are its hand-off to the Alertmanager API; mail would follow group_wait later.';
    } else if (ANCHOR) {
      anchorNote = 'prometheus or prometheus-snmp-exporter is missing: no anchor.';
    }

    console.log(`kpid ${kpid.url}, agent udp 127.0.0.1:${agent.port}, SMTP 127.0.0.1:${smtp.port}; ${FAULTS} faults`);
    const latencies = systems.map(() => []);
    // Without the anchor only kpid polls the agent, so the first "down" answer is kpid's poll.
    const ownShare = [];
    for (let i = 0; i < FAULTS; i++) {
      // A random pause over the longest cycle (the default 1m evaluation when the anchor runs)
      // puts the fault at a random phase of every poll, scrape and evaluation.
      await sleep(random() * (systems.length > 1 ? 60 : POLL_S) * 1000);
      const down = agent.setOper(false);
      const fired = await Promise.all(systems.map((s) => waitFor(`${s.name}: fault ${i + 1} announced`, () => s.fired(down), s.timeout)));
      fired.forEach((at, j) => latencies[j].push((at - down) / 1000));
      if (systems.length === 1) ownShare.push((fired[0] - agent.seenDown(down)) / 1000);
      const up = agent.setOper(true);
      await Promise.all(systems.map((s) => waitFor(`${s.name}: fault ${i + 1} resolved`, () => s.resolved(up), s.timeout)));
      const own = ownShare.length ? ` (poll saw it after ${fmt((agent.seenDown(down) - down) / 1000, 3)}s, kpid then took ${fmt(ownShare[i], 3)}s)` : '';
      console.log(`fault ${String(i + 1).padStart(2)}: ${systems.map((s, j) => `${s.name.split(' (')[0]} ${fmt(latencies[j][i], 3)}s`).join(', ')}${own}`);
    }

    const metrics = await (await fetch(`${kpid.url}/metrics`)).text();
    const sum = Number(/kpid_alert_delivery_seconds_sum\{channel="noc-mail"\} (\S+)/.exec(metrics)?.[1]);
    const count = Number(/kpid_alert_delivery_seconds_count\{channel="noc-mail"\} (\S+)/.exec(metrics)?.[1]);

    console.log('\nseconds from ifOperStatus=down at the agent to the SMTP server accepting the mail');
    console.log(`${'system'.padEnd(44)} |  n | median |    p90 |    min |    max | median vs kpid`);
    const kpidMedian = median(latencies[0]);
    systems.forEach((s, j) => console.log(summary(s.name, latencies[j], j === 0 ? undefined : kpidMedian)));
    for (const [j, s] of systems.entries()) {
      if (s.groupWait === undefined) continue;
      const bound = latencies[j].map((x) => x + s.groupWait);
      console.log(summary(`  + group_wait ${s.groupWait}s (lower bound to mail)`, bound, kpidMedian));
    }
    if (ownShare.length) {
      console.log(`kpid's own share (the agent answering the poll that saw the fault → SMTP accepted; group_wait 1s included): median ${fmt(median(ownShare), 3)} s, p90 ${fmt(p90(ownShare), 3)} s, max ${fmt(Math.max(...ownShare), 3)} s`);
    }
    console.log(`kpid goal: median ≤ poll interval + 2 s = ${POLL_S + 2} s: ${kpidMedian <= POLL_S + 2 ? 'met' : 'MISSED'}`);
    console.log(`kpid_alert_delivery_seconds{channel="noc-mail"} (kpid's own figure: each mail timed from the sample that crossed the line it reports): mean ${fmt(sum / count, 3)} s over ${count}`);
    if (anchorNote) console.log(anchorNote);
  } finally {
    for (const p of started.reverse()) await stop(p);
    await receiver?.close();
    await smtp?.close();
    await agent?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.env.SCENARIO === 'death') await deviceDeath({ root: ROOT, deaths: Number(process.env.DEATHS ?? 10), seed: SEED });
else await main();
