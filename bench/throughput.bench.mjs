// The throughput probe against curl and iperf3 on the same shaped link: a
// network namespace reached over a veth pair whose server side is shaped by
// `tc ... tbf rate R`, with test/helpers/bulk-http-server.mjs inside it.
// Per rate: the median over ROUNDS of kpid's download goodput, curl's
// %{speed_download} on the same object, and iperf3's received rate (-R, so
// the namespace sends through the shaper, as for the downloads), each next to
// what tbf lets through as TCP payload (R × 1448 / 1514).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ThroughputCollector } from '../dist/collectors/throughput/throughput-collector.js';
import { fmt, median } from './lib.mjs';

const RATES = (process.env.RATES ?? '20,100,400').split(',').map(Number);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SECONDS = 2.5;
const NS = `kbthr${process.pid % 1000}`;
const HOST_SIDE = `${NS}h`;
const NS_SIDE = `${NS}n`;
const PREFIX = `198.19.${200 + (process.pid % 50)}`;
const ADDRESS = `${PREFIX}.2`;
const SERVER = fileURLToPath(new URL('../test/helpers/bulk-http-server.mjs', import.meta.url));

const run = (cmd, args) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const inNs = (cmd, args) => run('ip', ['netns', 'exec', NS, cmd, ...args]);
const expected = (mbit) => mbit * (1448 / 1514);

function teardown() {
  for (const args of [['netns', 'del', NS], ['link', 'del', HOST_SIDE]]) spawnSync('ip', args, { stdio: 'ignore' });
}

teardown();
run('ip', ['netns', 'add', NS]);
const children = [];
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  teardown();
});
run('ip', ['link', 'add', HOST_SIDE, 'type', 'veth', 'peer', 'name', NS_SIDE]);
run('ip', ['link', 'set', NS_SIDE, 'netns', NS]);
run('ip', ['addr', 'add', `${PREFIX}.1/24`, 'dev', HOST_SIDE]);
run('ip', ['link', 'set', HOST_SIDE, 'up']);
run('ip', ['-n', NS, 'addr', 'add', `${ADDRESS}/24`, 'dev', NS_SIDE]);
run('ip', ['-n', NS, 'link', 'set', NS_SIDE, 'up']);
run('ip', ['-n', NS, 'link', 'set', 'lo', 'up']);

const server = spawn('ip', ['netns', 'exec', NS, process.execPath, SERVER, ADDRESS], { stdio: ['ignore', 'pipe', 'inherit'] });
children.push(server);
const port = await new Promise((resolve) => {
  let out = '';
  server.stdout.setEncoding('utf8').on('data', (d) => {
    out += d;
    const m = /listening (\d+)/.exec(out);
    if (m) resolve(Number(m[1]));
  });
});

const hasIperf = spawnSync('iperf3', ['--version'], { stdio: 'ignore' }).status === 0;
const collector = new ThroughputCollector();
const target = { name: 'bench', site: 'bench', address: ADDRESS, labels: {}, interval: 60_000, timeout: 30_000, probes: [] };

async function kpid(url, size) {
  const spec = { type: 'throughput', name: 'bench', url, max_bytes: size, headers: {}, tls_verify: true };
  const [s] = await collector.collect(target, spec, new AbortController().signal);
  return s.fields.download_bits_per_second / 1e6;
}

function curl(url) {
  const bytesPerSecond = Number(run('curl', ['-s', '-o', '/dev/null', '-w', '%{speed_download}', url]));
  return (bytesPerSecond * 8) / 1e6;
}

async function iperf3() {
  const iperfPort = String(port + 1);
  const srv = spawn('ip', ['netns', 'exec', NS, 'iperf3', '-s', '-1', '-B', ADDRESS, '-p', iperfPort], { stdio: 'ignore' });
  children.push(srv);
  for (let i = 0; i < 50; i++) {
    const r = spawnSync('iperf3', ['-c', ADDRESS, '-p', iperfPort, '-R', '-t', String(SECONDS), '-J'], { encoding: 'utf8' });
    let report;
    try {
      report = JSON.parse(r.stdout);
    } catch {
      report = undefined;
    }
    const bps = report?.end?.sum_received?.bits_per_second;
    if (typeof bps === 'number') return bps / 1e6;
    await new Promise((res) => setTimeout(res, 100)); // the server is not listening yet (the JSON carries an error)
  }
  throw new Error('iperf3 never connected');
}

console.log(`rate (Mbit/s)  expected payload  kpid  curl  ${hasIperf ? 'iperf3  ' : ''}kpid/curl  kpid/expected   (medians of ${ROUNDS})`);
for (const mbit of RATES) {
  const burstKb = Math.max(128, Math.ceil((mbit * 1e6 * 0.02) / 8 / 1024));
  inNs('tc', ['qdisc', 'replace', 'dev', NS_SIDE, 'root', 'tbf', 'rate', `${mbit}mbit`, 'burst', `${burstKb}kb`, 'latency', '50ms']);
  const size = Math.round(((mbit * 1e6) / 8) * SECONDS);
  const url = `http://${ADDRESS}:${port}/bytes/${size}`;
  const k = [];
  const c = [];
  const i = [];
  for (let r = 0; r < ROUNDS; r++) {
    k.push(await kpid(url, size));
    c.push(curl(url));
    if (hasIperf) i.push(await iperf3());
  }
  const [mk, mc] = [median(k), median(c)];
  console.log(`${String(mbit).padStart(13)}  ${fmt(expected(mbit), 4).padStart(16)}  ${fmt(mk, 4)}  ${fmt(mc, 4)}  ${hasIperf ? `${fmt(median(i), 4)}  ` : ''}${fmt(mk / mc, 4).padStart(9)}  ${fmt(mk / expected(mbit), 4).padStart(13)}`);
}
process.exit(0);
