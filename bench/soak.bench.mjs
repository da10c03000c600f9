// Soak: the real kpid daemon (`node dist/cli.js run`) polls 10,000
// interfaces every 10 s for SOAK_MINUTES (default 30) beside
// prometheus-snmp-exporter scraped every 10 s over the same interfaces, and
// prints the RSS and heap of both once a minute.
//
// The devices: one Debian snmpd in a namespace of the bench's own with
// IFACES (1,000) `ifb` links, answering on TARGETS (10) addresses, so kpid
// and the exporter each see 10 devices of 1,002 interfaces (ifb links, lo and
// the veth end). kpid runs the shipped rules, a SQLite state file, no
// InfluxDB (the writer's memory is not part of this figure), and its
// `/metrics` is scraped every 10 s as Prometheus would. The exporter walks
// the same 19 IF-MIB columns with the same max-repetitions; a loop here
// scrapes the 10 targets at once every 10 s, as Prometheus does.
//
// SOAK_SCENARIO=storm (`npm run bench -- storm`, bench/storm.bench.mjs) is
// issue 19's alert storm instead: no exporter; the idle ifb ports drop the
// odd frame (STORM_FRAMES_PER_S, default 20, each on a random port, as idle
// access ports drop frames of protocols they do not run), and beside the
// shipped rules (which hold still on that noise) one rule without `for:`
// fires on any dropped frame and resolves at the next poll: alerts firing
// and resolving by the thousand, mailed to a real SMTP server (smtp-server)
// through flap detection and the storm guard as shipped. Per minute: RSS,
// heap, the state file's size (db + WAL), mails accepted, alerts firing.
//
// Heap: kpid's from bench/heap-probe.mjs preloaded into the daemon
// (process.memoryUsage(), heapUsed), the exporter's from its own
// go_memstats_heap_inuse_bytes. Needs root (ip netns).
//
//   npm run bench -- soak                    # 30 minutes
//   SOAK_MINUTES=3 node bench/soak.bench.mjs # a quick look
//   SOAK_NET=198.19.196 … # another /24 of 198.19.192.0/18, so that two soaks can run at once
//   KPID_DIST=/tmp/x/dist node bench/soak.bench.mjs   # a frozen build, while dist/ is rebuilt
//   KPID_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/p" SOAK_MINUTES=2 node bench/soak.bench.mjs   # profile the daemon
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fmt } from './lib.mjs';
import { freePort, ifbNamespace, procCpu, procRssKb, startExporter, startSnmpd } from './ifb-agent.mjs';
import { startSmtp } from './latency-anchors.mjs';

const STORM = process.env.SOAK_SCENARIO === 'storm';
const FRAMES_PER_S = Number(process.env.STORM_FRAMES_PER_S ?? 20);
const MINUTES = Number(process.env.SOAK_MINUTES ?? 30);
const IFACES = Number(process.env.IFACES ?? 1000);
const TARGETS = Number(process.env.TARGETS ?? 10);
const INTERVAL_S = Number(process.env.INTERVAL_S ?? 10);
const MAXREP = Number(process.env.MAXREP ?? 25);
const ROOT = resolve(import.meta.dirname, '..');
const DIST = resolve(process.env.KPID_DIST ?? join(ROOT, 'dist'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mib = (b) => fmt(b / 2 ** 20, 4);

/** Sums every sample of `name` in a Prometheus text exposition. */
const metricSum = (text, name) => text.split('\n').filter((l) => l.startsWith(name) && /^[\w:]+(\{| )/.exec(l)?.[0].slice(0, -1) === name)
  .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);

/** The storm's rule: fires on a poll that saw a dropped frame, resolves on the next (as the shipped discard rules did before issue 19). */
const STORM_RULE = `groups:
  - name: storm-bench
    rules:
      - alert: InterfaceDiscardSeen
        select: { measurement: interface }
        value: { field: in_discards }
        when: "> 0"
        severity: warning
        annotations:
          summary: "{{ $labels.target }} {{ $labels.interface }} dropped a frame"
`;

async function startKpid(dir, agents, smtpPort) {
  const port = await freePort();
  const config = join(dir, 'kpid.yaml');
  if (STORM) writeFileSync(join(dir, 'storm-rule.yaml'), STORM_RULE);
  writeFileSync(config, `
server: { listen: "127.0.0.1:${port}" }
state: { sqlite: "${join(dir, 'kpid.db')}" }
defaults: { interval: ${INTERVAL_S}s, timeout: ${Math.max(1, INTERVAL_S - 1)}s }
rules: [ "${ROOT}/alert-rules/*.yaml"${STORM ? `, "${join(dir, 'storm-rule.yaml')}"` : ''} ]
${STORM ? `notify:
  channels:
    noc-mail: { email: { smtp: { host: 127.0.0.1, port: ${smtpPort}, secure: false, starttls: off }, from: kpid@example.net, to: [noc@example.net] } }
  routes: [ { match: {}, channels: [noc-mail] } ]` : ''}
targets:
${agents.map((a, i) => `  - { name: soak-${i + 1}, site: soak, address: ${a}, snmp: { version: 2c, community: public, timeout: 3s, retries: 0, max_repetitions: ${MAXREP}, modules: [system, interfaces] } }`).join('\n')}
`);
  const probe = join(dir, 'heap.json');
  // KPID_NODE_ARGS: extra node flags for the daemon, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p".
  const nodeArgs = (process.env.KPID_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', join(ROOT, 'bench/heap-probe.mjs'), join(DIST, 'cli.js'), 'run', '-c', config], {
    cwd: dir, env: { ...process.env, HEAP_PROBE_FILE: probe, HEAP_PROBE_MS: '5000' }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-3000)));
  child.on('exit', (code, sig) => { if (!child.stopping) console.error(`kpid exited (${code ?? sig}): ${stderr}`); });
  const url = `http://127.0.0.1:${port}`;
  let lastHeap = { heapUsed: NaN, heapTotal: NaN };
  const heap = () => { try { lastHeap = JSON.parse(readFileSync(probe, 'utf8')); } catch { /* not written yet: the last reading */ } return lastHeap; };
  return { child, url, heap, stateFile: join(dir, 'kpid.db') };
}

/**
 * Frames sent out of random ifb links inside the namespace, `rate` a second:
 * an ifb that tc did not hand the frame counts it received and dropped
 * (ifInDiscards), as test/noise-idle-ports.test.ts does.
 */
function dropFrames(ns, ports, rate) {
  const py = `
import random, socket, time
frame = bytes.fromhex('020000000002020000000001' + '88b5') + bytes(50)
socks = {}
while True:
    name = 'kps%d' % random.randrange(${ports})
    if name not in socks:
        socks[name] = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        socks[name].bind((name, 0))
    socks[name].send(frame)
    time.sleep(${1 / rate})
`;
  return spawn('ip', ['netns', 'exec', ns, 'python3', '-c', py], { stdio: 'ignore' });
}

/** Scrapes every agent through the exporter each INTERVAL_S, all at once, as Prometheus does; counts failures. */
function scrapeLoop(exporter, agents) {
  const stats = { scrapes: 0, failed: 0, rows: 0, stop: false };
  const loop = (async () => {
    while (!stats.stop) {
      const t0 = Date.now();
      await Promise.all(agents.map(async (a) => {
        try {
          const text = await exporter.scrape(a);
          stats.rows = text.split('\n').filter((l) => l.startsWith('ifHCInOctets{')).length;
          stats.scrapes++;
        } catch { stats.failed++; }
      }));
      await sleep(Math.max(0, INTERVAL_S * 1000 - (Date.now() - t0)));
    }
  })();
  return { stats, done: () => { stats.stop = true; return loop; } };
}

const fileSize = (f) => { try { return statSync(f).size; } catch { return 0; } };
const stateSize = (f) => fileSize(f) + fileSize(`${f}-wal`);

const dir = mkdtempSync(join(tmpdir(), 'kps-soak-'));
let net, snmpd, exporter, kpid, scraper, smtp, frames;
try {
  net = ifbNamespace({ ns: `kps-${STORM ? 'storm' : 'soak'}${process.pid % 1000}`, prefix: process.env.SOAK_NET ?? (STORM ? '198.19.194' : '198.19.193'), ifaces: IFACES, addresses: TARGETS, up: true });
  snmpd = await startSnmpd(net, dir);
  if (STORM) {
    smtp = await startSmtp();
    frames = dropFrames(net.ns, IFACES, FRAMES_PER_S);
  } else {
    exporter = await startExporter(dir, { maxRepetitions: MAXREP, timeout: `${Math.max(1, INTERVAL_S - 1)}s` });
  }
  kpid = await startKpid(dir, net.agents, smtp?.port);
  scraper = exporter ? scrapeLoop(exporter, net.agents) : { stats: { stop: false, scrapes: 0, failed: 0 }, done() { this.stats.stop = true; } };
  let kpidScrapeMs = [];
  const kpidScrapes = (async () => { // /metrics scraped as Prometheus would
    while (!scraper.stats.stop) {
      const t0 = performance.now();
      try { await (await fetch(`${kpid.url}/metrics`)).text(); } catch { /* not up yet */ }
      kpidScrapeMs.push(performance.now() - t0);
      await sleep(INTERVAL_S * 1000);
    }
  })();
  const pids = [kpid.child.pid, exporter?.child.pid, snmpd.pid];
  const cpu = () => pids.map((p) => (p ? procCpu(p) : 0));
  console.log(`${STORM ? `storm: ${FRAMES_PER_S} dropped frames/s on random ports` : 'soak'}: ${TARGETS} targets × ${IFACES + 2} interfaces every ${INTERVAL_S} s for ${MINUTES} min; kpid from ${DIST}; snmpd pid ${snmpd.pid}`);
  console.log(STORM
    ? 'min | kpid RSS MiB | kpid heap used MiB | kpid heap total MiB | kpid CPU % | snmpd CPU % | kpid polls done | skipped | alerts firing | alert changes (firing+resolved mails sent) | mails accepted | state file (db + WAL) KiB'
    : 'min | kpid RSS MiB | kpid heap used MiB | kpid heap total MiB | exporter RSS MiB | exporter heap in use MiB | kpid CPU % | exporter CPU % | snmpd CPU % | kpid polls done | skipped | exporter scrapes (failed) | kpid /metrics ms (median, max of the minute) | state file KiB | kpid interfaces per CPU s | load (1 min)');
  const rows = [];
  let last = { t: Date.now(), c: cpu(), polls: 0 };
  for (let m = 1; m <= MINUTES; m++) {
    await sleep(last.t + 60_000 - Date.now());
    const now = { t: Date.now(), c: cpu() };
    const pct = (i) => (100 * (now.c[i] - last.c[i])) / ((now.t - last.t) / 1000);
    const km = await (await fetch(`${kpid.url}/metrics`)).text();
    const h = kpid.heap();
    const row = {
      m, kpidRss: procRssKb(kpid.child.pid) * 1024, heapUsed: h.heapUsed, heapTotal: h.heapTotal,
      polls: metricSum(km, 'kpid_collector_duration_seconds_count'), skipped: metricSum(km, 'kpid_scheduler_skipped_polls_total'),
    };
    rows.push(row);
    const common = [m, mib(row.kpidRss), mib(row.heapUsed), mib(row.heapTotal)];
    if (STORM) {
      const firing = km.split('\n').filter((l) => l.startsWith('kpid_alerts{') && l.includes('state="firing"')).reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
      console.log([...common, fmt(pct(0)), fmt(pct(2)), row.polls, row.skipped, firing, metricSum(km, 'kpid_notifications_total'),
        smtp.mails.length, fmt(stateSize(kpid.stateFile) / 1024)].join(' | '));
    } else {
      const em = await (await fetch(`http://127.0.0.1:${exporter.port}/metrics`)).text();
      row.expRss = procRssKb(exporter.child.pid) * 1024;
      // The minute's scrapes of kpid's /metrics; interfaces polled per second of kpid's CPU (user + system) in the minute.
      const scrapes = kpidScrapeMs.splice(0).sort((a, b) => a - b);
      Object.assign(row, {
        kpidCpu: pct(0), expCpu: pct(1), scrapeMs: scrapes[scrapes.length >> 1] ?? NaN,
        perCpuS: ((row.polls - last.polls) * (IFACES + 2)) / ((pct(0) / 100) * ((now.t - last.t) / 1000)),
      });
      console.log([...common, mib(row.expRss), mib(metricSum(em, 'go_memstats_heap_inuse_bytes')), fmt(pct(0)), fmt(pct(1)), fmt(pct(2)),
        row.polls, row.skipped, `${scraper.stats.scrapes} (${scraper.stats.failed})`, `${fmt(row.scrapeMs)}, ${fmt(scrapes.at(-1) ?? NaN)}`,
        fmt(stateSize(kpid.stateFile) / 1024), fmt(row.perCpuS), loadavg()[0].toFixed(2)].join(' | '));
    }
    last = { ...now, polls: row.polls };
  }
  const end = rows.at(-1);
  const settled = rows.find((r) => r.m === Math.min(5, MINUTES));
  const maxLater = Math.max(...rows.filter((r) => r.m > settled.m).map((r) => r.kpidRss), settled.kpidRss);
  if (exporter) {
    console.log(`exporter saw ${scraper.stats.rows} interfaces per target in its last scrape`);
    // Minute 1 holds the start (rules loading, first polls without rates): medians from minute 2 on when there are more.
    const later = rows.length > 1 ? rows.slice(1) : rows;
    const median = (k) => {
      const xs = later.map((r) => r[k]).sort((a, b) => a - b);
      return xs.length % 2 ? xs[xs.length >> 1] : (xs[xs.length / 2 - 1] + xs[xs.length / 2]) / 2;
    };
    console.log(`medians of minutes ${later[0].m}-${end.m}: kpid CPU ${fmt(median('kpidCpu'))} %, exporter CPU ${fmt(median('expCpu'))} % (kpid/exporter ${fmt(median('kpidCpu') / median('expCpu'))}), `
      + `${fmt(median('perCpuS'))} interfaces per kpid CPU second, /metrics scrape ${fmt(median('scrapeMs'))} ms`);
    console.log(`after ${MINUTES} min: kpid RSS ${mib(end.kpidRss)} MiB, exporter ${mib(end.expRss)} MiB: ${fmt(end.kpidRss / end.expRss)} × (goal ≤ 2: ${end.kpidRss <= 2 * end.expRss ? 'met' : 'MISSED'})`);
  } else {
    const alerts = (await (await fetch(`${kpid.url}/api/v1/alerts`)).json()).alerts ?? [];
    const byRule = {};
    for (const a of alerts) byRule[`${a.rule} ${a.state}`] = (byRule[`${a.rule} ${a.state}`] ?? 0) + 1;
    console.log(`alerts at the end, by rule and state: ${JSON.stringify(byRule)}`);
    console.log(`mail subjects, first 3 and last 3: ${JSON.stringify([...smtp.mails.slice(0, 3), ...smtp.mails.slice(-3)].map((x) => x.subject))}`);
    console.log(`after ${MINUTES} min of the storm: kpid RSS ${mib(end.kpidRss)} MiB, state file ${fmt(stateSize(kpid.stateFile) / 2 ** 20)} MiB, ${smtp.mails.length} mails accepted`);
  }
  console.log(`kpid RSS growth after minute ${settled.m}: highest later ${mib(maxLater)} MiB vs ${mib(settled.kpidRss)} MiB at minute ${settled.m} (${fmt(((maxLater - settled.kpidRss) / settled.kpidRss) * 100)} %); heap used ${mib(settled.heapUsed)} → ${mib(end.heapUsed)} MiB`);
  scraper.done();
  await kpidScrapes;
} finally {
  frames?.kill('SIGKILL');
  await scraper?.done();
  if (kpid) { kpid.child.stopping = true; kpid.child.kill('SIGTERM'); await new Promise((r) => { const t = setTimeout(r, 10_000); kpid.child.once('exit', () => { clearTimeout(t); r(); }); }); }
  exporter?.child.kill('SIGTERM');
  await smtp?.close();
  await snmpd?.stop();
  net?.remove();
  rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
}
