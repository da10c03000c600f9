#!/usr/bin/env node
// Prepares this machine for `npm test` (run as npm's `pretest`), so the
// README's test command is the only one a newcomer needs.
//
// The integration tests run real components (ARCHITECTURE.md, "Tests"), so
// each one is looked for on disk first: that costs no process spawn and keeps
// the check well under a second when everything is there, which is the
// common case. On Debian as root whatever is missing is installed with one
// `apt-get update` and one `apt-get install`; anywhere else the script stops
// before any test runs, with one message naming what is missing and the
// command that installs it. Redis is started when it is installed but not
// answering, since the suite's shared queue tests expect it on 6379.
//
// `--bench` adds the anchors the benchmarks compare against.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';

/** Debian package → the executables the suite runs from it. */
const forTests = {
  fping: ['fping'],
  snmpd: ['snmpd'],
  snmp: ['snmpget', 'snmptrap', 'snmpinform', 'snmpbulkwalk'],
  nftables: ['nft'],
  iproute2: ['ip', 'tc'],
  influxdb: ['influxd'],
  prometheus: ['prometheus', 'promtool'],
  'redis-server': ['redis-server'],
  'redis-tools': ['redis-cli'],
  openssl: ['openssl'],
  curl: ['curl'],
  'dnsmasq-base': ['dnsmasq'],
  // The alert email is laid out at a phone's width in a real browser.
  chromium: ['chromium'],
  // Steps the wall clock under a running kpid (test/clock-jump.test.ts, docs/time.md).
  faketime: ['faketime'],
  // The throughput probe's iperf3 mode runs its client against a server in a test namespace.
  iperf3: ['iperf3'],
};
const forBench = {
  'prometheus-snmp-exporter': ['prometheus-snmp-exporter'],
  'prometheus-alertmanager': ['prometheus-alertmanager'],
};

const REDIS = { host: '127.0.0.1', port: 6379 };

// Root's PATH has the sbin folders; a user's often does not, and snmpd lives there.
const searchPath = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];

function onPath(command) {
  for (const dir of searchPath) {
    if (!dir) continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this folder
    }
  }
  return false;
}

function missingPackages(wanted) {
  return Object.entries(wanted)
    .filter(([, commands]) => !commands.every(onPath))
    .map(([pkg]) => pkg);
}

function canInstall() {
  return process.getuid?.() === 0 && existsSync('/etc/debian_version') && onPath('apt-get');
}

function apt(args) {
  const r = spawnSync('apt-get', args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed with exit code ${r.status}`);
}

function redisAnswers() {
  return new Promise((resolve) => {
    const socket = connect(REDIS);
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

async function ensureRedis() {
  if (await redisAnswers()) return;
  console.log(`test-env: starting redis-server on ${REDIS.host}:${REDIS.port}`);
  const r = spawnSync('redis-server', [
    '--daemonize', 'yes', '--bind', REDIS.host, '--port', String(REDIS.port), '--save', '', '--appendonly', 'no',
  ], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`redis-server did not start (exit code ${r.status})`);
  for (let i = 0; i < 50; i++) {
    if (await redisAnswers()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`redis-server started but does not answer on ${REDIS.host}:${REDIS.port}`);
}

async function main() {
  const wanted = process.argv.includes('--bench') ? { ...forTests, ...forBench } : forTests;
  const missing = missingPackages(wanted);
  if (missing.length && !canInstall()) {
    const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
    console.error(
      `test-env: the tests need ${missing.join(', ')}; install with: ` +
        `${sudo}apt-get install -y --no-install-recommends ${missing.join(' ')} — no test ran.`,
    );
    return 1;
  }
  if (missing.length) {
    console.log(`test-env: installing ${missing.join(' ')} (apt-get)`);
    apt(['update', '-qq']);
    apt(['install', '-y', '-qq', '--no-install-recommends', ...missing]);
    const still = missingPackages(wanted);
    if (still.length) throw new Error(`apt-get installed ${missing.join(' ')} but ${still.join(', ')} still lacks its commands`);
  }
  await ensureRedis();
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`test-env: ${err.message} — no test ran.`);
    process.exitCode = 1;
  },
);
