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
// Heap: kpid's from bench/heap-probe.mjs preloaded into the daemon
// (process.memoryUsage(), heapUsed), the exporter's from its own
// go_memstats_heap_inuse_bytes. Needs root (ip netns).
//
//   npm run bench -- soak                    # 30 minutes
//   SOAK_MINUTES=3 node bench/soak.bench.mjs # a quick look
//   KPID_DIST=/tmp/x/dist node bench/soak.bench.mjs   # a frozen build, while dist/ is rebuilt
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fmt } from './lib.mjs';
import { freePort, ifbNamespace, procCpu, procRssKb, startExporter, startSnmpd } from './ifb-agent.mjs';

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

async function startKpid(dir, agents) {
  const port = await freePort();
  const config = join(dir, 'kpid.yaml');
  writeFileSync(config, `
server: { listen: "127.0.0.1:${port}" }
state: { sqlite: "${join(dir, 'kpid.db')}" }
defaults: { interval: ${INTERVAL_S}s, timeout: ${Math.max(1, INTERVAL_S - 1)}s }
rules: [ "${ROOT}/alert-rules/*.yaml" ]
targets:
${agents.map((a, i) => `  - { name: soak-${i + 1}, site: soak, address: ${a}, snmp: { version: 2c, community: public, retries: 0, max_repetitions: ${MAXREP}, modules: [system, interfaces] } }`).join('\n')}
`);
  const probe = join(dir, 'heap.json');
  const child = spawn(process.execPath, ['--import', join(ROOT, 'bench/heap-probe.mjs'), join(DIST, 'cli.js'), 'run', '-c', config], {
    cwd: dir, env: { ...process.env, HEAP_PROBE_FILE: probe, HEAP_PROBE_MS: '5000' }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-3000)));
  child.on('exit', (code, sig) => { if (!child.stopping) console.error(`kpid exited (${code ?? sig}): ${stderr}`); });
  const url = `http://127.0.0.1:${port}`;
  const heap = () => JSON.parse(readFileSync(probe, 'utf8'));
  return { child, url, heap, stateFile: join(dir, 'kpid.db') };
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

const dir = mkdtempSync(join(tmpdir(), 'kps-soak-'));
let net, snmpd, exporter, kpid, scraper;
try {
  net = ifbNamespace({ ns: `kps-soak${process.pid % 1000}`, prefix: `198.18.${80 + (process.pid % 20)}`, ifaces: IFACES, addresses: TARGETS, up: true });
  snmpd = await startSnmpd(net, dir);
  exporter = await startExporter(dir, { maxRepetitions: MAXREP, timeout: `${Math.max(1, INTERVAL_S - 1)}s` });
  kpid = await startKpid(dir, net.agents);
  scraper = scrapeLoop(exporter, net.agents);
  let kpidScrapeMs = 0;
  const kpidScrapes = (async () => { // /metrics scraped as Prometheus would
    while (!scraper.stats.stop) {
      const t0 = performance.now();
      try { await (await fetch(`${kpid.url}/metrics`)).text(); } catch { /* not up yet */ }
      kpidScrapeMs = performance.now() - t0;
      await sleep(INTERVAL_S * 1000);
    }
  })();
  console.log(`soak: ${TARGETS} targets × ${IFACES + 2} interfaces every ${INTERVAL_S} s for ${MINUTES} min; kpid from ${DIST}; snmpd pid ${snmpd.pid}`);
  console.log('min | kpid RSS MiB | kpid heap used MiB | kpid heap total MiB | exporter RSS MiB | exporter heap in use MiB | kpid CPU % | exporter CPU % | snmpd CPU % | kpid polls done | skipped | exporter scrapes (failed) | kpid /metrics ms | state file KiB');
  const rows = [];
  let last = { t: Date.now(), k: procCpu(kpid.child.pid), e: procCpu(exporter.child.pid), a: procCpu(snmpd.pid) };
  for (let m = 1; m <= MINUTES; m++) {
    await sleep(last.t + 60_000 - Date.now());
    const now = { t: Date.now(), k: procCpu(kpid.child.pid), e: procCpu(exporter.child.pid), a: procCpu(snmpd.pid) };
    const wall = (now.t - last.t) / 1000;
    const km = await (await fetch(`${kpid.url}/metrics`)).text();
    const em = await (await fetch(`http://127.0.0.1:${exporter.port}/metrics`)).text();
    const h = kpid.heap();
    const row = {
      m, kpidRss: procRssKb(kpid.child.pid) * 1024, heapUsed: h.heapUsed, heapTotal: h.heapTotal,
      expRss: procRssKb(exporter.child.pid) * 1024, expHeap: metricSum(em, 'go_memstats_heap_inuse_bytes'),
      kCpu: (100 * (now.k - last.k)) / wall, eCpu: (100 * (now.e - last.e)) / wall, aCpu: (100 * (now.a - last.a)) / wall,
      polls: metricSum(km, 'kpid_collector_duration_seconds_count'), skipped: metricSum(km, 'kpid_scheduler_skipped_polls_total'),
    };
    rows.push(row);
    console.log([m, mib(row.kpidRss), mib(row.heapUsed), mib(row.heapTotal), mib(row.expRss), mib(row.expHeap), fmt(row.kCpu), fmt(row.eCpu), fmt(row.aCpu),
      row.polls, row.skipped, `${scraper.stats.scrapes} (${scraper.stats.failed})`, fmt(kpidScrapeMs), fmt(fileSize(kpid.stateFile) / 1024)].join(' | '));
    last = now;
  }
  const end = rows.at(-1);
  const settled = rows.find((r) => r.m === Math.min(5, MINUTES));
  const later = rows.filter((r) => r.m > settled.m);
  const maxLater = Math.max(...later.map((r) => r.kpidRss), settled.kpidRss);
  console.log(`exporter saw ${scraper.stats.rows} interfaces per target in its last scrape`);
  console.log(`after ${MINUTES} min: kpid RSS ${mib(end.kpidRss)} MiB, exporter ${mib(end.expRss)} MiB: ${fmt(end.kpidRss / end.expRss)} × (goal ≤ 2: ${end.kpidRss <= 2 * end.expRss ? 'met' : 'MISSED'})`);
  console.log(`kpid RSS growth after minute ${settled.m}: highest later ${mib(maxLater)} MiB vs ${mib(settled.kpidRss)} MiB at minute ${settled.m} (${fmt(((maxLater - settled.kpidRss) / settled.kpidRss) * 100)} %); heap used ${mib(settled.heapUsed)} → ${mib(end.heapUsed)} MiB`);
  scraper.done();
  await kpidScrapes;
} finally {
  await scraper?.done();
  if (kpid) { kpid.child.stopping = true; kpid.child.kill('SIGTERM'); await new Promise((r) => { const t = setTimeout(r, 10_000); kpid.child.once('exit', () => { clearTimeout(t); r(); }); }); }
  exporter?.child.kill('SIGTERM');
  await snmpd?.stop();
  net?.remove();
  rmSync(dir, { recursive: true, force: true });
}
