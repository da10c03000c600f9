// ICMP probes through kpid's collector against plain fping, on the same
// targets (127.0.1.1 … 127.0.1.N on loopback), run side by side.
// Reports CPU seconds per 1,000 probes (10 echoes each) and how far kpid's
// mean RTT is from fping's own.
import { spawn } from 'node:child_process';
import { IcmpCollector } from '../dist/collectors/icmp/icmp-collector.js';
import { parseFpingCounts } from '../dist/collectors/icmp/fping-output.js';
import { roundTripStats } from '../dist/collectors/icmp/round-trips.js';
import { cpuSeconds, fmt, median } from './lib.mjs';

const TARGETS = Number(process.env.TARGETS ?? 200);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const COUNT = 10;
const SPACING = 20;
const addresses = Array.from({ length: TARGETS }, (_, i) => `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`);

function fpingDirect() {
  return new Promise((resolve, reject) => {
    const args = ['-q', '-C', String(COUNT), '-p', String(SPACING), '-t', '500', '-i', '1', '-r', '0', '-B', '1', ...addresses];
    const child = spawn('fping', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', () => resolve(parseFpingCounts(err)));
  });
}

async function kpidRound(collector) {
  const signal = new AbortController().signal;
  const spec = { type: 'icmp', name: 'icmp', count: COUNT, spacing: SPACING, reply_timeout: 500 };
  const results = await Promise.all(addresses.map((address, i) =>
    collector.collect({ name: `t${i}`, site: 'bench', address, labels: {}, interval: 30_000, timeout: 10_000, probes: [] }, spec, signal)));
  return new Map(results.map(([s], i) => [addresses[i], s.fields.rtt_seconds]));
}

async function measure(fn) {
  const c0 = cpuSeconds();
  const t0 = performance.now();
  const out = await fn();
  const wall = (performance.now() - t0) / 1000;
  const c1 = cpuSeconds();
  return { out, wall, cpu: c1.self - c0.self + (c1.children - c0.children) };
}

const collector = new IcmpCollector();
const kpid = [];
const anchor = [];
const diffs = [];
await kpidRound(collector); // warm-up: JIT and the first spawn
for (let r = 0; r < ROUNDS; r++) {
  const a = await measure(fpingDirect);
  const k = await measure(() => kpidRound(collector));
  anchor.push(a);
  kpid.push(k);
  for (const addr of addresses) {
    const fp = roundTripStats(a.out.get(addr) ?? []).avg;
    const kp = k.out.get(addr);
    if (fp !== undefined && kp !== undefined) diffs.push(Math.abs(kp - fp) * 1e6);
  }
}
await collector.close();

const per1000 = (runs) => median(runs.map((x) => (x.cpu / TARGETS) * 1000));
const kCpu = per1000(kpid);
const aCpu = per1000(anchor);
console.log(`targets ${TARGETS} × ${COUNT} echoes, ${ROUNDS} rounds, medians`);
console.log(`CPU s per 1,000 probes: kpid ${fmt(kCpu)}  fping ${fmt(aCpu)}  ratio ${fmt(kCpu / aCpu)}`);
console.log(`wall s per round:       kpid ${fmt(median(kpid.map((x) => x.wall)))}  fping ${fmt(median(anchor.map((x) => x.wall)))}`);
console.log(`RTT agreement: median |kpid − fping| mean RTT = ${fmt(median(diffs))} µs over ${diffs.length} target-rounds`);
