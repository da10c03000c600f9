// Push ingest and trap handling through a running kpid (in-process Daemon,
// no targets, no rules), side by side with anchors on this machine:
//  - line protocol: kpid's POST /api/v1/ingest vs influxd 1.6's own /write,
//    the same batches of 5,000 lines over keep-alive HTTP, pushed by one
//    client in a worker thread (bench/ingest-pusher.mjs), so that kpid's
//    thread runs kpid alone;
//  - traps: snmptrap-captured v2c linkDown datagrams blasted at kpid's
//    receiver; reported as traps handled per second (no anchor runs the same
//    work: snmptrapd would log, not evaluate).
import { spawn, execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Session } from 'node:inspector/promises';
import { Daemon } from '../dist/daemon/daemon.js';
import { silentLogger } from '../dist/core/logger.js';
import { fmt, median } from './lib.mjs';

const BATCH = 5_000;
const BATCHES = Number(process.env.BATCHES ?? 40);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const TRAPS = Number(process.env.TRAPS ?? 20_000);
// KPID_CPU_PROF=dir: CPU profiles of kpid's thread during its line-protocol rounds only (dir/kpid-round-N.cpuprofile).
const PROFILE = process.env.KPID_CPU_PROF;
// Recent stamps: kpid refuses points older than ingest.max_age (7 days by default).
const T0 = Date.now() - 3_600_000;

const dir = mkdtempSync(join(tmpdir(), 'kpid-bench-ingest-'));
const freePort = async (type = 'udp4') => {
  const s = createSocket(type);
  await new Promise((r) => s.bind(0, '127.0.0.1', r));
  const p = s.address().port;
  await new Promise((r) => s.close(r));
  return p;
};

const pusher = new Worker(new URL('./ingest-pusher.mjs', import.meta.url), { workerData: { batch: BATCH, batches: BATCHES, t0: T0 } });

/** CPU seconds (user + system) of a process, from /proc/<pid>/stat. */
function processCpu(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/**
 * One round pushed to `url` by the worker: samples per wall second, and per
 * CPU second of the server (`cpu()`: influxd's process; kpid's is this
 * process less the client's thread). On a machine loaded by others the wall
 * rate moves with the scheduler; CPU per sample moves much less.
 */
async function pushAll(url, round, cpu, clientInside) {
  const before = cpu();
  const answer = await new Promise((resolve) => {
    pusher.once('message', resolve);
    pusher.postMessage({ url, round });
  });
  if (answer.error) throw new Error(answer.error);
  const used = cpu() - before - (clientInside ? answer.clientCpu : 0);
  return { rate: answer.rate, perCpu: (BATCH * BATCHES) / used };
}

// --- influxd anchor
const influxPort = await freePort('udp4');
const rpcPort = await freePort('udp4');
writeFileSync(join(dir, 'influx.conf'), `reporting-disabled = true\nbind-address = "127.0.0.1:${rpcPort}"\n[meta]\n  dir = "${dir}/meta"\n[data]\n  dir = "${dir}/data"\n  wal-dir = "${dir}/wal"\n  query-log-enabled = false\n[http]\n  bind-address = "127.0.0.1:${influxPort}"\n  log-enabled = false\n`);
const influxd = spawn('influxd', ['-config', join(dir, 'influx.conf')], { stdio: 'ignore' });
for (let i = 0; i < 100; i++) {
  try { if ((await fetch(`http://127.0.0.1:${influxPort}/ping`)).status === 204) break; } catch {}
  await new Promise((r) => setTimeout(r, 100));
}
await fetch(`http://127.0.0.1:${influxPort}/query?q=CREATE%20DATABASE%20bench`, { method: 'POST' });

// --- kpid
const trapPort = await freePort();
writeFileSync(join(dir, 'kpid.yaml'), `server: { listen: "127.0.0.1:0" }\nstate: { sqlite: ${dir}/kpid.db }\ningest: { max_samples_per_request: ${BATCH}, max_series_per_measurement: 1000 }\ntraps: { listen: "127.0.0.1:${trapPort}", community: bench }\ntargets: [ { name: edge, address: 127.0.0.1 } ]\n`);
const daemon = new Daemon({ configFile: join(dir, 'kpid.yaml'), log: silentLogger() });
const { url } = await daemon.start();
let received = 0;
daemon.pipeline.add({ name: 'count', write: (s) => { received += s.length; } });

const kpid = [];
const influx = [];
const profiler = PROFILE ? new Session() : undefined;
if (profiler) {
  mkdirSync(PROFILE, { recursive: true });
  profiler.connect();
  await profiler.post('Profiler.enable');
}
for (let r = 0; r < ROUNDS; r++) {
  influx.push(await pushAll(`http://127.0.0.1:${influxPort}/write?db=bench&precision=ms`, r, () => processCpu(influxd.pid), false));
  const before = received;
  if (profiler) await profiler.post('Profiler.start');
  kpid.push(await pushAll(`${url}/api/v1/ingest?precision=ms`, r, () => processCpu(process.pid), true));
  if (profiler) writeFileSync(join(PROFILE, `kpid-round-${r}.cpuprofile`), JSON.stringify((await profiler.post('Profiler.stop')).profile));
  // Every line must reach the pipeline: a refused line (too old, over a limit) would be timed as work not done.
  if (received - before !== BATCH * BATCHES) throw new Error(`kpid took ${received - before} of ${BATCH * BATCHES} lines`);
}
const wall = (xs) => median(xs.map((x) => x.rate));
const perCpu = (xs) => median(xs.map((x) => x.perCpu));
console.log(`line protocol, ${BATCHES} × ${BATCH} lines per round, ${ROUNDS} rounds (medians):`);
console.log(`  samples/s:            kpid /api/v1/ingest → pipeline ${fmt(wall(kpid))}   influxd /write ${fmt(wall(influx))}   ratio ${fmt(wall(kpid) / wall(influx))}`);
// Rounds alternate, so each round's pair saw about the same machine: on a loaded machine these move less than either rate.
console.log(`  per-round ratios:     ${kpid.map((k, i) => fmt(k.rate / influx[i].rate)).join(' ')}`);
console.log(`  samples/CPU-second:   kpid ${fmt(perCpu(kpid))} (its process less the client's thread)   influxd ${fmt(perCpu(influx))} (its process)   ratio ${fmt(perCpu(kpid) / perCpu(influx))}`);

// --- traps
const capture = createSocket('udp4');
await new Promise((r) => capture.bind(0, '127.0.0.1', r));
const got = new Promise((r) => capture.once('message', r));
execFileSync('snmptrap', ['-Ln', '-v', '2c', '-c', 'bench', `127.0.0.1:${capture.address().port}`, '', '1.3.6.1.6.3.1.1.5.3', '1.3.6.1.2.1.2.2.1.1.3', 'i', '3']);
const packet = await got;
capture.close();
const sender = createSocket('udp4');
const trapsSeen = async () => (await daemon.registry.getSingleMetric('kpid_traps_total').get()).values
  .filter((v) => v.labels.result === 'accepted').reduce((a, v) => a + v.value, 0);
const trapRates = [];
for (let r = 0; r < ROUNDS; r++) {
  const before = await trapsSeen();
  const t = performance.now();
  // Paced: each burst of 100 waits until the receiver has handled the one
  // before, so we measure handling, not kernel socket-buffer drops.
  for (let i = 0; i < TRAPS; i += 100) {
    for (let k = 0; k < 100; k++) sender.send(packet, trapPort, '127.0.0.1');
    const deadline = performance.now() + 1_000;
    while ((await trapsSeen()) - before < i && performance.now() < deadline) await new Promise((res) => setTimeout(res, 0));
  }
  const deadline = performance.now() + 5_000;
  while ((await trapsSeen()) - before < TRAPS && performance.now() < deadline) await new Promise((res) => setTimeout(res, 1));
  const handled = (await trapsSeen()) - before;
  trapRates.push(handled / ((performance.now() - t) / 1000));
}
sender.close();
console.log(`traps: ${TRAPS} v2c linkDown per round, ${ROUNDS} rounds: median ${fmt(median(trapRates))} traps/s handled (to samples through the pipeline)`);

await pusher.terminate();
await daemon.stop();
await new Promise((resolve) => {
  influxd.once('exit', resolve);
  influxd.kill();
});
// influxd's data and kpid's state file: about 9 MB a run.
rmSync(dir, { recursive: true, force: true });
