// Device death, for bench/alert-latency.bench.mjs (SCENARIO=death): from the
// instant the SNMP agent process (Debian snmpd) is killed with SIGKILL to the
// instant the SMTP server accepts the mail saying the device is unreachable.
//
// kpid runs as a real process with the catalogue rules (DeviceUnreachable:
// 3 polls without an answer), polls every 5 s with a 1 s timeout and no
// retries, and mails through a route with group_wait 1s. Beside it, on the
// same agent and the same deaths, the tuned Prometheus anchor:
// prometheus-snmp-exporter (timeout 1s, retries 0) scraped every 5 s, so a
// dead agent makes the scrape fail and `up` 0; rules evaluated every 1 s;
// Alertmanager with group_wait 1s mailing the same SMTP server. Two rules:
//   - `up == 0` with `for: 10s`: three failed scrapes in a row, the same
//     evidence kpid's DeviceUnreachable asks for (the goal's anchor);
//   - `up == 0` with `for: 0s`: pages on one failed scrape, which one lost
//     datagram also does; printed for reference.
//
// After each death snmpd is started again on the same port, and every
// system reports the device back before the next death, which comes after
// a random pause so it falls at a random phase of each poller's cycle.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, median } from './lib.mjs';
import {
  freeTcpPort, freeUdpPort, sleep, spawnLogged, startAlertmanager, startExporter, startPrometheus, startSmtp, stop, waitFor, which,
} from './latency-anchors.mjs';

const POLL_S = 5;
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil(0.9 * xs.length) - 1)];

/** snmpd on a fixed loopback port, killed and started again by the bench. */
function snmpdAgent(dir, port) {
  mkdirSync(join(dir, 'snmpd'), { recursive: true });
  const conf = join(dir, 'snmpd', 'snmpd.conf');
  writeFileSync(conf, `agentAddress udp:127.0.0.1:${port}\nrocommunity public 127.0.0.1\n`);
  let child;
  const answering = () => new Promise((ok) => {
    const probe = spawn('snmpget', ['-v2c', '-c', 'public', '-t', '0.3', '-r', '0', `127.0.0.1:${port}`, '1.3.6.1.2.1.1.3.0'], { stdio: 'ignore' });
    probe.on('exit', (code) => ok(code === 0));
  });
  return {
    port,
    async start() {
      child = spawn('snmpd', ['-f', '-Lo', '-C', '-c', conf], {
        env: { ...process.env, SNMP_PERSISTENT_DIR: join(dir, 'snmpd', 'persist'), MIBS: '' }, stdio: 'ignore',
      });
      await waitFor('snmpd answering', answering, 10_000, 100);
    },
    /** SIGKILL, and the instant it took effect. */
    async kill() {
      const exited = new Promise((ok) => child.once('exit', ok));
      const at = Date.now();
      child.kill('SIGKILL');
      await exited;
      return at;
    },
    async close() {
      if (child && child.exitCode === null && child.signalCode === null) await this.kill();
    },
  };
}

async function startKpid(root, dir, agentPort, smtpPort) {
  const port = await freeTcpPort();
  const config = join(dir, 'kpid.yaml');
  writeFileSync(config, `
server: { listen: "127.0.0.1:${port}" }
state: { sqlite: "${join(dir, 'kpid.db')}" }
defaults: { interval: ${POLL_S}s, timeout: 1s }
rules: [ "${root}/alert-rules/*.yaml" ]
notify:
  channels:
    noc-mail: { email: { smtp: { host: 127.0.0.1, port: ${smtpPort}, secure: false, starttls: off }, from: kpid@example.net, to: [noc@example.net] } }
  routes: [ { match: {}, channels: [noc-mail], group_wait: 1s, group_interval: 1s } ]
targets:
  - { name: edge-1, site: bench, address: 127.0.0.1, snmp: { version: 2c, community: public, port: ${agentPort}, timeout: 1s, retries: 0, modules: [system, interfaces] } }
`);
  const p = spawnLogged('kpid', process.execPath, [join(root, 'dist/cli.js'), 'run', '-c', config], { cwd: dir });
  p.url = `http://127.0.0.1:${port}`;
  await waitFor('kpid polling snmpd', async () => /kpid_target_up\{[^}]*\} 1/.test(await (await fetch(`${p.url}/metrics`)).text()), 30_000, 200);
  return p;
}

export async function deviceDeath({ root, deaths, seed }) {
  let s = seed;
  const random = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const dir = mkdtempSync(join(tmpdir(), 'kpid-death-bench-'));
  const started = [];
  let agent, smtp;
  try {
    agent = snmpdAgent(dir, await freeUdpPort());
    await agent.start();
    smtp = await startSmtp();
    const kpid = await startKpid(root, dir, agent.port, smtp.port);
    started.push(kpid);
    const mail = (from, re) => (since) => smtp.mails.find((m) => m.at >= since && m.from === from && re.test(m.subject))?.at;
    const systems = [{
      name: `kpid (poll ${POLL_S}s, 3 misses, group_wait 1s)`,
      fired: mail('kpid@example.net', /\[FIRING\].*DeviceUnreachable/), resolved: mail('kpid@example.net', /\[RESOLVED\].*DeviceUnreachable/),
    }];
    const amBin = which('alertmanager') ?? which('prometheus-alertmanager');
    if (amBin && which('prometheus') && which('prometheus-snmp-exporter')) {
      const exporter = await startExporter(dir, '1s');
      started.push(exporter);
      for (const [anchor, forDuration, what] of [['tuned10s', '10s', '3 failed scrapes'], ['tuned0s', '0s', '1 failed scrape']]) {
        const am = await startAlertmanager(amBin, dir, anchor, '1s', '1s', smtp.port);
        started.push(am);
        started.push(await startPrometheus(dir, anchor, '1s', exporter, agent.port, am.address, POLL_S,
          { alert: 'DeviceUnreachable', expr: 'up{job="snmp"} == 0', for: forDuration }));
        systems.push({
          name: `Prometheus tuned, for ${forDuration} (${what}) + AM`,
          fired: mail(`am-${anchor}@example.net`, /\[FIRING/), resolved: mail(`am-${anchor}@example.net`, /\[RESOLVED/),
        });
      }
    } else {
      console.log('prometheus, prometheus-snmp-exporter or prometheus-alertmanager is missing: kpid only, no anchor.');
    }

    console.log(`kpid ${kpid.url}, snmpd udp 127.0.0.1:${agent.port}, SMTP 127.0.0.1:${smtp.port}; ${deaths} deaths`);
    const latencies = systems.map(() => []);
    for (let i = 0; i < deaths; i++) {
      await sleep(random() * POLL_S * 1000);
      const killed = await agent.kill();
      const fired = await Promise.all(systems.map((x) => waitFor(`${x.name}: death ${i + 1} announced`, () => x.fired(killed), 90_000)));
      fired.forEach((at, j) => latencies[j].push((at - killed) / 1000));
      const back = Date.now();
      await agent.start();
      await Promise.all(systems.map((x) => waitFor(`${x.name}: death ${i + 1} resolved`, () => x.resolved(back), 90_000)));
      console.log(`death ${String(i + 1).padStart(2)}: ${systems.map((x, j) => `${x.name.split(' (')[0]} ${fmt(latencies[j][i], 3)}s`).join(', ')}`);
    }

    const metrics = await (await fetch(`${kpid.url}/metrics`)).text();
    const skipped = metrics.split('\n').filter((l) => l.startsWith('kpid_scheduler_skipped_polls_total')).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    console.log('\nseconds from SIGKILL of snmpd to the SMTP server accepting the mail');
    console.log(`${'system'.padEnd(52)} |  n | median |    p90 |    min |    max | kpid ÷ this`);
    const kpidMedian = median(latencies[0]);
    systems.forEach((x, j) => {
      const xs = latencies[j];
      const ratio = j === 0 ? '' : `${fmt(kpidMedian / median(xs), 3)}`;
      console.log(`${x.name.padEnd(52)} | ${String(xs.length).padStart(2)} | ${fmt(median(xs)).padStart(6)} | ${fmt(p90(xs)).padStart(6)} | ${fmt(Math.min(...xs)).padStart(6)} | ${fmt(Math.max(...xs)).padStart(6)} | ${ratio}`);
    });
    console.log(`kpid goal: median ≤ 12 s: ${kpidMedian <= 12 ? 'met' : 'MISSED'}`);
    if (systems.length > 1) {
      console.log(`kpid goal: median ≤ 0.8 × the tuned anchor with the same evidence (for 10s): ${kpidMedian <= 0.8 * median(latencies[1]) ? 'met' : 'MISSED'}`);
    }
    console.log(`kpid_scheduler_skipped_polls_total over the run: ${skipped}`);
  } finally {
    for (const p of started.reverse()) await stop(p);
    await smtp?.close();
    await agent?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
