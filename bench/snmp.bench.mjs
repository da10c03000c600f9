// SNMP interface polling: kpid's collector against snmpbulkwalk and
// prometheus-snmp-exporter, on the same snmpd, the same IF-MIB columns and
// the same max-repetitions. snmpd runs in a network namespace of the
// bench's own (`kps-benchPID`) holding IFACES `ifb` links (the dummy link type
// is not in this kernel), reached over a veth pair in 198.18.0.0/15.
// Needs root. Prints median wall time and mean CPU over ROUNDS polls, per 10,000 interfaces, as
// ratios to each anchor, and RSS per 1,000 interfaces.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { COLUMNS, ifbNamespace, procCpu, procRssKb, startExporter, startSnmpd } from './ifb-agent.mjs';
import { cpuSeconds, fmt, median } from './lib.mjs';

const IFACES = Number(process.env.IFACES ?? 1000);
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const MAXREP = Number(process.env.MAXREP ?? 25);
// KPID_DIST: a frozen build to measure (A/B runs while dist/ is rebuilt); BENCH_NET: the /24
// to use, so two benches can run at once (each in a namespace of its own).
const DIST = pathToFileURL(resolve(process.env.KPID_DIST ?? new URL('../dist', import.meta.url).pathname)).href;
const { SnmpCollector } = await import(`${DIST}/collectors/snmp/snmp-collector.js`);
const { snmpTarget } = await import(`${DIST}/collectors/snmp/snmp-config.js`);
const { silentLogger } = await import(`${DIST}/core/logger.js`);
const NS = `kps-bench${process.pid % 1000}`;
const NET = process.env.BENCH_NET ?? '198.19.192';
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Runs `fn` and returns its wall time and CPU seconds: of this process and children, or of `pid`. */
async function measure(fn, pid, agentPid) {
  const c0 = cpuSeconds();
  const u0 = process.cpuUsage();
  const p0 = pid ? procCpu(pid) : 0;
  const a0 = procCpu(agentPid);
  const t0 = performance.now();
  const out = await fn();
  const wall = (performance.now() - t0) / 1000;
  const c1 = cpuSeconds();
  const u = process.cpuUsage(u0);
  // This process in microseconds (kpid runs in it), children and other processes in clock ticks.
  const cpu = pid ? procCpu(pid) - p0 : (u.user + u.system) / 1e6 + (c1.children - c0.children);
  return { out, wall, cpu, agentCpu: procCpu(agentPid) - a0 };
}

function bulkwalkAll() {
  return new Promise((resolve, reject) => {
    let rows = 0;
    const next = (i) => {
      if (i === COLUMNS.length) return resolve(rows);
      const child = spawn('snmpbulkwalk', ['-v2c', '-c', 'public', `-Cr${MAXREP}`, '-On', '-Oq', '-t', '10', '-r', '0', AGENT, COLUMNS[i]], { stdio: ['ignore', 'pipe', 'inherit'] });
      let buf = '';
      child.stdout.on('data', (d) => (buf += d));
      child.on('error', reject);
      child.on('close', () => { rows += buf.split('\n').filter(Boolean).length; next(i + 1); });
    };
    next(0);
  });
}

async function exporterScrape(exporter) {
  const text = await exporter.scrape(AGENT);
  return text.split('\n').filter((l) => l.startsWith('ifHCInOctets{')).length;
}

async function kpidPoll(collector, spec) {
  const target = { name: 'bench', site: 'bench', address: AGENT, labels: {}, interval: 30_000, timeout: 30_000, probes: [] };
  const samples = await collector.collect(target, spec, new AbortController().signal);
  return samples.filter((s) => s.measurement === 'interface').length;
}

const dir = mkdtempSync(join(tmpdir(), 'kps-bench-'));
let net, snmpd, exporter, AGENT;
try {
  net = ifbNamespace({ ns: NS, prefix: NET, ifaces: IFACES });
  AGENT = net.agents[0];
  snmpd = await startSnmpd(net, dir);
  exporter = await startExporter(dir, { maxRepetitions: MAXREP });
  gc();
  const before = process.memoryUsage();
  const collector = new SnmpCollector({ log: silentLogger() });
  const specFor = (parallel) => snmpTarget.parse({
    community: 'public', timeout: '10s', retries: 0, max_repetitions: MAXREP, max_parallel_walks: parallel, modules: ['system', 'interfaces'],
  });
  const runs = {
    snmpbulkwalk: { fn: bulkwalkAll },
    'snmp_exporter': { fn: () => exporterScrape(exporter), pid: exporter.child.pid },
    'kpid (4 walks in parallel, default)': { fn: () => kpidPoll(collector, specFor(4)) },
    'kpid (sequential walks)': { fn: () => kpidPoll(collector, specFor(1)) },
  };
  for (const r of Object.values(runs)) { r.results = []; await r.fn(); } // warm-up: JIT, exporter connection, snmpd caches
  for (let round = 0; round < ROUNDS; round++) {
    for (const r of Object.values(runs)) r.results.push(await measure(r.fn, r.pid, snmpd.pid));
  }
  gc();
  const after = process.memoryUsage();
  const exporterRss = procRssKb(exporter.child.pid) * 1024;
  const per10k = 10_000 / IFACES;
  const summary = Object.fromEntries(Object.entries(runs).map(([name, r]) => [name, {
    rows: r.results[0].out,
    wall: median(r.results.map((x) => x.wall)) * per10k,
    // CPU is read in 10 ms clock ticks for other processes: average over all rounds, not a median of coarse readings.
    cpu: mean(r.results.map((x) => x.cpu)) * per10k,
    agentCpu: mean(r.results.map((x) => x.agentCpu)) * per10k,
  }]));
  console.log(`kpid from ${DIST}`);
  console.log(`${IFACES} ifb interfaces, ${COLUMNS.length} IF-MIB columns, max-repetitions ${MAXREP}, ${ROUNDS} rounds (median wall, mean CPU), per 10,000 interfaces polled`);
  console.log('run | interfaces seen | wall s | CPU s (poller) | snmpd CPU s | wall vs snmpbulkwalk | wall vs snmp_exporter | CPU vs snmpbulkwalk | CPU vs snmp_exporter');
  const a = summary.snmpbulkwalk;
  const e = summary.snmp_exporter;
  for (const [name, s] of Object.entries(summary)) {
    console.log([name, s.rows, fmt(s.wall), fmt(s.cpu), fmt(s.agentCpu), fmt(s.wall / a.wall), fmt(s.wall / e.wall), fmt(s.cpu / a.cpu), fmt(s.cpu / e.cpu)].join(' | '));
  }
  const mib = (b) => fmt((b / 2 ** 20) * (1000 / IFACES));
  console.log(`RSS per 1,000 interfaces: kpid process ${mib(after.rss)} MiB (Node itself included; ${mib(after.rss - before.rss)} MiB grown while polling, ${mib(after.heapUsed - before.heapUsed)} MiB of heap kept after GC); snmp_exporter ${mib(exporterRss)} MiB`);
  await collector.close();
} finally {
  exporter?.child.kill('SIGTERM');
  await snmpd?.stop();
  net?.remove();
  rmSync(dir, { recursive: true, force: true });
}
