// Cluster mode: how polling capacity scales from one kpid instance to three
// on this machine, how long a failover takes, and how many Redis commands a
// poll costs. Real kpid processes (`node dist/cli.js run`), a private
// redis-server and Net-SNMP's snmpd on loopback; every target is an SNMP
// GET of the system group (1 request per poll).
//
//   npm run build && node bench/cluster.bench.mjs
//   TARGETS=4000 INTERVAL=1000 WINDOW=20 node bench/cluster.bench.mjs
//
// Capacity = polls completed per second (kpid_collector_duration_seconds
// count, summed over instances) under an offered load of TARGETS/INTERVAL
// polls per second; the load is set above what one instance completes.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { fmt, median } from './lib.mjs';

const TARGETS = Number(process.env.TARGETS ?? 4000);
const INTERVAL = Number(process.env.INTERVAL ?? 1000);
const WINDOW = Number(process.env.WINDOW ?? 20);
const FAILOVER_TARGETS = Number(process.env.FAILOVER_TARGETS ?? 600);
const TTL = Number(process.env.TTL ?? 3000);
const HEARTBEAT = Number(process.env.HEARTBEAT ?? 1000);
const CLI = new URL('../dist/cli.js', import.meta.url).pathname;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const freeTcp = () => new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});
const freeUdp = () => new Promise((resolve) => {
  const s = createSocket('udp4'); s.bind(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

const dir = mkdtempSync(join(tmpdir(), 'kpid-cluster-bench-'));
const children = new Set();
function run(cmd, args, opts = {}) {
  const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  children.add(p);
  p.once('exit', () => children.delete(p));
  return p;
}
process.on('exit', () => { for (const p of children) p.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }); });

async function startRedis() {
  const port = await freeTcp();
  run('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes',
    '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction', '--dir', dir]);
  const r = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, retryStrategy: () => 50 });
  r.on('error', () => {});
  for (let i = 0; i < 100; i++) { try { await r.connect(); await r.ping(); break; } catch { await sleep(50); } }
  return { url: `redis://127.0.0.1:${port}`, client: r };
}

async function startSnmpd() {
  const port = await freeUdp();
  const conf = join(dir, 'snmpd.conf');
  writeFileSync(conf, `agentAddress udp:127.0.0.1:${port}\nrocommunity public 127.0.0.1\n`);
  // -Lo logs every request: its stdout must not be a pipe nobody reads, or snmpd blocks.
  run('snmpd', ['-f', '-Lo', '-C', '-c', conf, '-p', join(dir, 'snmpd.pid')], { stdio: 'ignore', env: { ...process.env, SNMP_PERSISTENT_DIR: join(dir, 'snmp'), MIBS: '' } });
  await sleep(500);
  return port;
}

function config(id, redis, snmpPort, count) {
  const targets = Array.from({ length: count }, (_, i) =>
    `  - { name: ne-${i}, address: 127.0.0.1, snmp: { version: 2c, community: public, port: ${snmpPort}, timeout: ${Math.floor(INTERVAL * 0.8)}ms, retries: 0, modules: [system] } }`);
  return `server: { listen: "127.0.0.1:0" }
state: { redis: "${redis}" }
cluster: { enabled: true, redis: "${redis}", lease_ttl: ${TTL}ms, heartbeat: ${HEARTBEAT}ms, instance_id: ${id} }
defaults: { interval: ${INTERVAL}ms, timeout: ${Math.floor(INTERVAL * 0.9)}ms, concurrency: 1024 }
targets:
${targets.join('\n')}
`;
}

async function startKpid(id, redis, snmpPort, count = TARGETS) {
  const file = join(dir, `${id}.yaml`);
  writeFileSync(file, config(id, redis, snmpPort, count));
  const p = run(process.execPath, [CLI, 'run', '-c', file], { cwd: dir, env: { ...process.env, KPID_LOG_LEVEL: 'info' } });
  let buf = '';
  const url = await new Promise((resolve, reject) => {
    p.stdout.on('data', (d) => {
      if (buf === null) return;
      buf += d;
      const m = /"url":"(http:[^"]+)"/.exec(buf);
      if (m) {
        buf = null;
        resolve(m[1]);
      }
    });
    p.stderr.resume();
    p.once('exit', (c) => reject(new Error(`kpid ${id} exited ${c}: ${(buf ?? '').slice(-500)}`)));
  });
  return { id, p, url };
}

const metric = (text, name, labels = '') => {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    const rest = line.slice(name.length);
    if (!(rest.startsWith(' ') || rest.startsWith('{'))) continue;
    if (labels && !line.includes(labels)) continue;
    sum += Number(line.split(' ').at(-1));
  }
  return sum;
};
const scrape = async (k) => (await fetch(`${k.url}/metrics`)).text();
const totals = async (ks) => {
  const texts = await Promise.all(ks.map(scrape));
  return {
    polls: texts.reduce((n, t) => n + metric(t, 'kpid_collector_duration_seconds_count', 'collector="snmp"'), 0),
    errors: texts.reduce((n, t) => n + metric(t, 'kpid_collector_errors_total'), 0),
    skipped: texts.reduce((n, t) => n + metric(t, 'kpid_scheduler_skipped_polls_total'), 0),
    owned: texts.reduce((n, t) => n + metric(t, 'kpid_cluster_owned_targets'), 0),
  };
};
const redisCommands = async (r) => Number(/total_commands_processed:(\d+)/.exec(await r.info('stats'))[1]);

async function capacity(n, redis, snmpPort) {
  await redis.client.flushall();
  const ks = await Promise.all(Array.from({ length: n }, (_, i) => startKpid(`kpid-${i + 1}`, redis.url, snmpPort)));
  for (let i = 0; i < 200 && (await totals(ks)).owned !== TARGETS; i++) await sleep(200);
  await sleep(3 * INTERVAL);
  const a = await totals(ks);
  const ra = await redisCommands(redis.client);
  const t0 = Date.now();
  await sleep(WINDOW * 1000);
  const b = await totals(ks);
  const rb = await redisCommands(redis.client);
  const secs = (Date.now() - t0) / 1000;
  const polls = b.polls - a.polls;
  const result = {
    n, pollsPerSec: polls / secs, errorsPerSec: (b.errors - a.errors) / secs, skippedPerSec: (b.skipped - a.skipped) / secs,
    // Two INFO calls of the bench itself are subtracted.
    redisOpsPerPoll: (rb - ra - 2) / Math.max(1, polls), redisOpsPerSec: (rb - ra - 2) / secs,
  };
  return { ks, result };
}

async function stopAll(ks, signal = 'SIGTERM') {
  await Promise.all(ks.map((k) => new Promise((r) => { if (k.p.exitCode !== null || k.p.signalCode !== null) r(); else { k.p.once('exit', r); k.p.kill(signal); } })));
}

async function failover(redis, snmpPort) {
  await redis.client.flushall();
  const ks = await Promise.all([1, 2, 3].map((i) => startKpid(`kpid-${i}`, redis.url, snmpPort, FAILOVER_TARGETS)));
  for (let i = 0; i < 200 && (await totals(ks)).owned !== FAILOVER_TARGETS; i++) await sleep(200);
  await sleep(3 * INTERVAL);
  const victim = ks[1];
  const before = await scrape(victim);
  const share = metric(before, 'kpid_cluster_owned_targets');
  const survivors = ks.filter((k) => k !== victim);
  const basePolls = (await totals(survivors)).polls;
  victim.p.kill('SIGKILL');
  const t0 = Date.now();
  let ownedAt;
  let rateAt;
  let last = { t: t0, polls: basePolls };
  const full = (FAILOVER_TARGETS / INTERVAL) * 1000;
  while (Date.now() - t0 < TTL + 10 * INTERVAL) {
    await sleep(100);
    const t = await totals(survivors);
    const now = Date.now();
    if (!ownedAt && t.owned === FAILOVER_TARGETS) ownedAt = now - t0;
    // Survivors complete polls at the rate of all targets once the moved ones run (checked over one interval).
    if (ownedAt && now - last.t >= INTERVAL) {
      if (!rateAt && (t.polls - last.polls) / ((now - last.t) / 1000) >= 0.9 * full) rateAt = now - t0;
      last = { t: now, polls: t.polls };
    }
    if (ownedAt && rateAt) break;
  }
  await stopAll(ks, 'SIGKILL');
  return { share, ownedAt, rateAt };
}

const redis = await startRedis();
const snmpPort = await startSnmpd();
console.log(`cluster bench: ${TARGETS} SNMP targets every ${INTERVAL} ms (offered ${fmt(TARGETS / INTERVAL * 1000, 4)} polls/s), window ${WINDOW}s, lease_ttl ${TTL} ms, heartbeat ${HEARTBEAT} ms`);
const rows = [];
for (const n of [1, 3]) {
  const { ks, result } = await capacity(n, redis, snmpPort);
  rows.push(result);
  console.log(`${n} instance(s): ${fmt(result.pollsPerSec, 4)} polls/s completed, ${fmt(result.errorsPerSec, 3)} errors/s, ${fmt(result.skippedPerSec, 3)} skipped/s, Redis ${fmt(result.redisOpsPerSec, 3)} commands/s = ${fmt(result.redisOpsPerPoll, 3)} per poll`);
  await stopAll(ks, 'SIGKILL');
}
// Failover at a load two survivors carry easily, so the time measured is the handover's, not a backlog's.
const f = await failover(redis, snmpPort);
console.log(`failover, ${FAILOVER_TARGETS} targets on 3 instances, kill -9 of one (${f.share} targets): ownership moved after ${f.ownedAt} ms, survivors completing every target's poll again after ${f.rateAt ?? 'n/a'} ms (bound: 2 x interval + lease_ttl = ${2 * INTERVAL + TTL} ms)`);
console.log(`capacity ratio 3 instances / 1 instance: ${fmt(rows[1].pollsPerSec / rows[0].pollsPerSec, 3)}`);
redis.client.disconnect();
process.exit(0);
