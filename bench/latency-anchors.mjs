// Processes for bench/alert-latency.bench.mjs: the Prometheus anchor
// (prometheus-snmp-exporter, Prometheus, Alertmanager or a stand-in for its
// alert API), and small helpers to start, wait for and stop things on loopback.
import { execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

export const IF_OPER = '1.3.6.1.2.1.2.2.1.8';
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const which = (bin) => { try { return execFileSync('which', [bin], { encoding: 'utf8' }).trim(); } catch { return undefined; } };

export const freeTcpPort = () => new Promise((ok) => {
  const s = createTcpServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
});
export const freeUdpPort = () => new Promise((ok) => {
  const s = createSocket('udp4').bind(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
});

export async function waitFor(what, fn, ms, step = 50) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch { /* not yet */ }
    if (Date.now() > end) throw new Error(`${what}: not within ${ms / 1000}s`);
    await sleep(step);
  }
}

export function spawnLogged(name, cmd, args, opts = {}) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  let tail = '';
  const keep = (d) => (tail = (tail + d.toString()).slice(-3000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.on('exit', (code, sig) => { if (!child.stopping) console.error(`${name} exited (${code ?? sig}): ${tail}`); });
  return { child, name, tail: () => tail };
}

export async function stop(p) {
  if (!p || p.child.exitCode !== null) return;
  p.child.stopping = true;
  const exited = new Promise((ok) => p.child.once('exit', ok));
  p.child.kill('SIGTERM');
  const t = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

/** snmp.yml for snmp_exporter 0.21: ifOperStatus only, numeric OIDs (no MIBs are installed). */
export async function startExporter(dir, timeout = '2s') {
  writeFileSync(join(dir, 'snmp.yml'), [
    'bench:', '  version: 2', '  auth:', '    community: public', '  retries: 0', `  timeout: ${timeout}`, '  walk:', `  - ${IF_OPER}`,
    '  metrics:', '  - name: ifOperStatus', `    oid: ${IF_OPER}`, '    type: gauge', '    indexes:', '    - labelname: ifIndex', '      type: gauge', '',
  ].join('\n'));
  const port = await freeTcpPort();
  const p = spawnLogged('snmp_exporter', 'prometheus-snmp-exporter', [`--config.file=${join(dir, 'snmp.yml')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn']);
  p.address = `127.0.0.1:${port}`;
  await waitFor('snmp_exporter', () => fetch(`http://${p.address}/metrics`).then((r) => r.ok), 10_000);
  return p;
}

/** Alertmanager's POST /api/v2/alerts, recording what arrives: used when Alertmanager is not installed. */
export async function startAlertReceiver() {
  const alerts = [];
  const server = createHttpServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      try {
        for (const a of JSON.parse(Buffer.concat(chunks).toString('utf8'))) {
          alerts.push({ at, anchor: a.labels?.anchor, resolved: a.endsAt && Date.parse(a.endsAt) <= at });
        }
      } catch { /* not an alert list */ }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { address: `127.0.0.1:${server.address().port}`, alerts, close: () => new Promise((ok) => server.close(ok)) };
}

/** A real Alertmanager (Debian prometheus-alertmanager) mailing the bench's SMTP server. */
export async function startAlertmanager(bin, dir, anchor, groupWait, groupInterval, smtpPort) {
  const port = await freeTcpPort();
  const file = join(dir, `alertmanager-${anchor}.yml`);
  writeFileSync(file, `
route: { receiver: mail, group_by: [alertname], group_wait: ${groupWait}, group_interval: ${groupInterval}, repeat_interval: 4h }
receivers:
  - name: mail
    email_configs: [ { to: noc@example.net, from: am-${anchor}@example.net, smarthost: "127.0.0.1:${smtpPort}", require_tls: false, send_resolved: true } ]
`);
  const p = spawnLogged(`alertmanager-${anchor}`, bin, [
    `--config.file=${file}`, `--storage.path=${join(dir, `am-${anchor}`)}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn',
  ]);
  p.address = `127.0.0.1:${port}`;
  await waitFor(`alertmanager ${anchor}`, () => fetch(`http://${p.address}/-/ready`).then((r) => r.ok), 20_000, 200);
  return p;
}

/** The link-down rule by default; `rule` replaces it (the device-death scenario alerts on `up == 0`). */
export async function startPrometheus(dir, anchor, evaluation, exporter, agentPort, alertTarget, pollSeconds,
  rule = { alert: 'LinkDown', expr: 'ifOperStatus{ifIndex="1"} == 2', for: '0s' }) {
  const port = await freeTcpPort();
  const rules = join(dir, `rules-${anchor}.yml`);
  writeFileSync(rules, `
groups:
  - name: bench
    rules:
      - alert: ${rule.alert}
        expr: ${rule.expr}
        for: ${rule.for}
        labels: { severity: critical }
`);
  const config = join(dir, `prometheus-${anchor}.yml`);
  writeFileSync(config, `
global: { scrape_interval: ${pollSeconds}s, evaluation_interval: ${evaluation}, external_labels: { anchor: ${anchor} } }
rule_files: [ "${rules}" ]
alerting: { alertmanagers: [ { api_version: v2, static_configs: [ { targets: [ "${alertTarget}" ] } ] } ] }
scrape_configs:
  - job_name: snmp
    metrics_path: /snmp
    params: { module: [bench] }
    static_configs: [ { targets: [ "127.0.0.1:${agentPort}" ] } ]
    relabel_configs:
      - { source_labels: [__address__], target_label: __param_target }
      - { target_label: __address__, replacement: "${exporter.address}" }
`);
  const p = spawnLogged(`prometheus-${anchor}`, 'prometheus', [
    `--config.file=${config}`, `--storage.tsdb.path=${join(dir, `prom-${anchor}`)}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
  ]);
  p.url = `http://127.0.0.1:${port}`;
  const up = async () => {
    const body = await (await fetch(`${p.url}/api/v1/query?query=${encodeURIComponent('ifOperStatus{ifIndex="1"}')}`)).json();
    return body.data?.result?.length === 1;
  };
  await waitFor(`prometheus ${anchor} scraping snmp_exporter`, up, 40_000, 250);
  return p;
}

/** A real SMTP server; every accepted message is timed as it is accepted. */
export async function startSmtp() {
  const mails = [];
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, session, cb) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const subject = (/^Subject: (.*(?:\r?\n[ \t].*)*)/im.exec(raw)?.[1] ?? '').replace(/\r?\n[ \t]/g, ' ');
        mails.push({ at: Date.now(), from: session.envelope.mailFrom?.address ?? '', subject });
        cb();
      });
    },
  });
  server.on('error', () => {});
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { port: server.server.address().port, mails, close: () => new Promise((ok) => server.close(ok)) };
}
