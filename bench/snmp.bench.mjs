// SNMP interface polling: kpid's collector against snmpbulkwalk and
// prometheus-snmp-exporter, on the same snmpd, the same IF-MIB columns and
// the same max-repetitions. snmpd runs in a network namespace of the
// bench's own (`kps-bench`) holding IFACES `ifb` links (the dummy link type
// is not in this kernel), reached over a veth pair in 198.18.0.0/15.
// Needs root. Prints median wall time and mean CPU over ROUNDS polls, per 10,000 interfaces, as
// ratios to each anchor, and RSS per 1,000 interfaces.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { join } from 'node:path';
import { SnmpCollector } from '../dist/collectors/snmp/snmp-collector.js';
import { interfaceColumns } from '../dist/collectors/snmp/interface-table.js';
import { IF_MIB } from '../dist/collectors/snmp/oids.js';
import { snmpTarget } from '../dist/config/sections/snmp.js';
import { silentLogger } from '../dist/core/logger.js';
import { cpuSeconds, fmt, median } from './lib.mjs';

const IFACES = Number(process.env.IFACES ?? 1000);
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const MAXREP = Number(process.env.MAXREP ?? 25);
const NS = 'kps-bench';
const HOST_LINK = 'kpsbh';
const NS_LINK = 'kpsbn';
const AGENT = '198.19.199.2';
const COLUMNS = interfaceColumns('hc').map((c) => IF_MIB[c]);
const TICK = 100;
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sh = (cmd, args, input) => execFileSync(cmd, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
const quiet = (cmd, args) => { try { sh(cmd, args); } catch { /* already gone */ } };

function procCpu(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICK;
}
const procRssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const freePort = () => new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

function cleanup() {
  quiet('ip', ['netns', 'del', NS]);
  quiet('ip', ['link', 'del', HOST_LINK]);
}

function setupNamespace() {
  cleanup();
  sh('ip', ['netns', 'add', NS]);
  sh('ip', ['link', 'add', HOST_LINK, 'type', 'veth', 'peer', 'name', NS_LINK]);
  sh('ip', ['link', 'set', NS_LINK, 'netns', NS]);
  sh('ip', ['addr', 'add', '198.19.199.1/24', 'dev', HOST_LINK]);
  sh('ip', ['link', 'set', HOST_LINK, 'up']);
  sh('ip', ['-n', NS, 'addr', 'add', `${AGENT}/24`, 'dev', NS_LINK]);
  sh('ip', ['-n', NS, 'link', 'set', NS_LINK, 'up']);
  sh('ip', ['-n', NS, 'link', 'set', 'lo', 'up']);
  const batch = Array.from({ length: IFACES }, (_, i) => `link add kps${i} type ifb`).join('\n') + '\n';
  sh('ip', ['-n', NS, '-batch', '-'], batch);
}

async function startSnmpd(dir) {
  writeFileSync(join(dir, 'snmpd.conf'), `agentAddress udp:${AGENT}:161\nrocommunity public 198.19.199.0/24\n`);
  const child = spawn('ip', ['netns', 'exec', NS, 'snmpd', '-f', '-Lo', '-C', '-c', join(dir, 'snmpd.conf'), '-p', join(dir, 'snmpd.pid')], {
    env: { ...process.env, SNMP_PERSISTENT_DIR: join(dir, 'persist'), MIBS: '' }, stdio: 'ignore',
  });
  for (let i = 0; i < 100; i++) {
    try {
      sh('snmpget', ['-v2c', '-c', 'public', '-t', '0.2', '-r', '0', AGENT, '1.3.6.1.2.1.1.3.0']);
      return { child, pid: Number(readFileSync(join(dir, 'snmpd.pid'), 'utf8')) };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('snmpd did not answer');
}

/** snmp.yml for snmp_exporter 0.21: one module walking exactly kpid's columns, numeric OIDs (no MIBs installed). */
function exporterConfig() {
  const text = new Set(['ifDescr', 'ifName', 'ifAlias']);
  const counters = new Set(Object.keys(IF_MIB).filter((k) => /Octets|Pkts|Errors|Discards/.test(k)));
  const metrics = interfaceColumns('hc').map((name) => ({
    name, oid: IF_MIB[name],
    type: text.has(name) ? 'DisplayString' : counters.has(name) ? 'counter' : 'gauge',
  }));
  const lines = [
    'kps:', '  version: 2', '  auth:', '    community: public', `  max_repetitions: ${MAXREP}`, '  retries: 0', '  timeout: 10s',
    '  walk:', ...COLUMNS.map((c) => `  - ${c}`), '  metrics:',
  ];
  for (const m of metrics) {
    lines.push(`  - name: ${m.name}`, `    oid: ${m.oid}`, `    type: ${m.type}`, '    indexes:', '    - labelname: ifIndex', '      type: gauge');
  }
  return lines.join('\n') + '\n';
}

async function startExporter(dir) {
  writeFileSync(join(dir, 'snmp.yml'), exporterConfig());
  const port = await freePort();
  const child = spawn('prometheus-snmp-exporter', [`--config.file=${join(dir, 'snmp.yml')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/metrics`);
      return { child, port };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('snmp_exporter did not start');
}

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

async function exporterScrape(port) {
  const text = await (await fetch(`http://127.0.0.1:${port}/snmp?target=${AGENT}&module=kps`)).text();
  return text.split('\n').filter((l) => l.startsWith('ifHCInOctets{')).length;
}

async function kpidPoll(collector, spec) {
  const target = { name: 'bench', site: 'bench', address: AGENT, labels: {}, interval: 30_000, timeout: 30_000, probes: [] };
  const samples = await collector.collect(target, spec, new AbortController().signal);
  return samples.filter((s) => s.measurement === 'interface').length;
}

const dir = mkdtempSync(join(tmpdir(), 'kps-bench-'));
let snmpd, exporter;
try {
  setupNamespace();
  snmpd = await startSnmpd(dir);
  exporter = await startExporter(dir);
  gc();
  const before = process.memoryUsage();
  const collector = new SnmpCollector({ log: silentLogger() });
  const specFor = (parallel) => snmpTarget.parse({
    community: 'public', timeout: '10s', retries: 0, max_repetitions: MAXREP, max_parallel_walks: parallel, modules: ['system', 'interfaces'],
  });
  const runs = {
    snmpbulkwalk: { fn: bulkwalkAll },
    'snmp_exporter': { fn: () => exporterScrape(exporter.port), pid: exporter.child.pid },
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
  snmpd?.child.kill('SIGTERM');
  if (snmpd) quiet('kill', [String(snmpd.pid)]);
  await new Promise((r) => setTimeout(r, 300));
  cleanup();
  rmSync(dir, { recursive: true, force: true });
}
