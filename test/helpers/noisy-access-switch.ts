import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestHost, type TestHost } from './netns.js';
import { startKpid, type KpidProcess } from './kpid-process.js';
import { TestSmtpServer } from './smtp.js';

/**
 * An access switch of idle ports in a namespace of its own: `ports` ifb links
 * served by a real snmpd, polled by a real kpid (the shipped rules, durations
 * scaled) that mails a test SMTP server. Each rig is whole on its own, so two
 * tests can run side by side without one's traffic reaching the other's kpid.
 */
export interface NoisyAccessSwitch {
  readonly host: TestHost;
  readonly kpid: KpidProcess;
  readonly smtp: TestSmtpServer;
  /** Alerts firing now, as "rule interface-or-target", sorted. */
  firing(): Promise<string[]>;
  /** Frames each ifb link has received and dropped, from the kernel. */
  drops(): Map<string, number>;
  /** drops() before the noise started. */
  readonly dropsBefore: Map<string, number>;
  /** Sends frames out of ifb links from inside the namespace, `rate` a second, on random ports or on `only`. */
  send(rate: number, only?: string): ChildProcess;
  /** SNMP polls of the switch that kpid completed and measured. */
  polls(): Promise<number>;
  stop(): Promise<void>;
}

const TOKEN = 'noise-token-0123456789abcdef';
/** Every duration of the shipped rules and the KPI windows shrinks by this: minutes become seconds. */
export const SCALE = 15;
/**
 * Polls every 3 s, not 30 s / SCALE = 2 s: a 300-port walk of an snmpd on a
 * loaded machine overran the 2 s interval's 1.5 s budget three polls running
 * and DeviceUnreachable fired (load 16, beside both cluster tests and a
 * browser). The rules watch the same scaled minutes in fewer polls.
 */
export const INTERVAL_MS = 3_000;

/**
 * The shipped rule files with every duration divided by `SCALE` (for:, over:,
 * clear.for, keep_firing_for, warn_at), so minutes of the real thing fit in
 * seconds of test. Nothing else is changed.
 */
function scaledRules(dir: string): string {
  const src = resolve(import.meta.dirname, '../../alert-rules');
  const out = join(dir, 'rules');
  mkdirSync(out);
  const unit = { s: 1, m: 60, h: 3600 } as const;
  const scale = (n: string, u: keyof typeof unit) => `${Math.max(1, Math.round((Number(n) * unit[u]) / SCALE))}s`;
  for (const f of readdirSync(src).filter((x) => x.endsWith('.yaml'))) {
    const text = readFileSync(join(src, f), 'utf8')
      .replace(/\b(for|over|keep_firing_for): (\d+)([smh])\b/g, (_m, k: string, n: string, u: keyof typeof unit) => `${k}: ${scale(n, u)}`)
      .replace(/warn_at: \[([^\]]*)\]/g, (_m, list: string) => `warn_at: [${list.split(',').map((d) => d.trim().replace(/^(\d+)([smh])$/, (_x, n: string, u: keyof typeof unit) => scale(n, u))).join(', ')}]`);
    writeFileSync(join(out, f), text);
  }
  return join(out, '*.yaml');
}

/**
 * Frames sent out of ifb links from inside the namespace: an ifb that was
 * not handed a frame by tc counts it as received and dropped (ifb_xmit), so
 * each frame is one ifInUcastPkts/ifInDiscards on that port — the odd frame an
 * idle access port drops, or real load with real discards.
 */
const FRAMES = `
import random, socket, sys, time
ports, rate, only = int(sys.argv[1]), float(sys.argv[2]), (sys.argv[3] if len(sys.argv) > 3 else None)
frame = bytes.fromhex('020000000002020000000001' + '88b5') + bytes(50)
socks = {}
while True:
    name = only or 'ifb%d' % random.randrange(ports)
    if name not in socks:
        socks[name] = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        socks[name].bind((name, 0))
    socks[name].send(frame)
    time.sleep(1 / rate)
`;

interface LinkStats { ifname: string; stats64?: { rx?: { dropped?: number } } }

const sumOf = (metrics: string, name: string) => metrics.split('\n')
  .filter((l) => l.startsWith(name) && l.includes('collector="snmp"'))
  .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);

/** `noise` frames a second, each on a random port, from before kpid's first poll. */
export async function startNoisyAccessSwitch(name: string, subnet: number, ports: number, noise: number): Promise<NoisyAccessSwitch> {
  const dir = mkdtempSync(join(tmpdir(), `kpid-${name}-`));
  const host = createTestHost(name, subnet);
  const frames: ChildProcess[] = [];
  const smtp = new TestSmtpServer();
  let snmpd: ChildProcess | undefined;
  let kpid: KpidProcess | undefined;
  const drops = () => new Map((JSON.parse(host.exec('ip', ['-s', '-j', 'link', 'show', 'type', 'ifb'])) as LinkStats[])
    .map((l) => [l.ifname, l.stats64?.rx?.dropped ?? 0]));
  const send = (rate: number, only?: string) => {
    const p = spawn('ip', ['netns', 'exec', host.ns, 'python3', '-c', FRAMES, String(ports), String(rate), ...(only ? [only] : [])], { stdio: 'ignore' });
    frames.push(p);
    return p;
  };
  let dropsBefore = new Map<string, number>();
  // Once only: a second host.remove() could free a network slot another file has claimed since.
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= stopOnce());
  const stopOnce = async () => {
    for (const p of frames) p.kill('SIGKILL');
    await kpid?.stop();
    snmpd?.kill('SIGTERM');
    await smtp.stop();
    host.remove();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const links = Array.from({ length: ports }, (_, i) => `link add ifb${i} type ifb\nlink set ifb${i} up`).join('\n');
    host.exec('ip', ['-batch', '-'], `${links}\n`);
    dropsBefore = drops();
    send(noise);
    writeFileSync(join(dir, 'snmpd.conf'), `agentAddress udp:${host.address}:1161\nrocommunity public\n`);
    snmpd = spawn('ip', ['netns', 'exec', host.ns, 'snmpd', '-f', '-Lo', '-C', '-c', join(dir, 'snmpd.conf'), '-p', join(dir, 'snmpd.pid')], { stdio: 'ignore' });
    await smtp.start();
    kpid = await startKpid(`
server: { listen: "127.0.0.1:0", api_token: "\${KPID_API_TOKEN}" }
defaults: { interval: ${INTERVAL_MS}ms, timeout: ${Math.round(INTERVAL_MS * 0.75)}ms }
rules: [ "${scaledRules(dir)}" ]
# the catalogue's 5-minute ratio window, scaled as the rules are; least volume unchanged (1,000 packets)
kpis: { interface_errors: { window: ${300 / SCALE}s } }
notify:
  channels:
    noc-mail: { email: { smtp: { host: 127.0.0.1, port: ${smtp.port}, secure: false }, from: kpid@example.net, to: [noc@example.net] } }
  routes: [ { match: {}, channels: [noc-mail], group_wait: 200ms } ]
targets:
  - { name: access-1, site: lab, address: ${host.address}, snmp: { version: 2c, community: public, port: 1161, timeout: 1s, retries: 1, max_repetitions: 100 } }
`, { KPID_API_TOKEN: TOKEN });
  } catch (err) {
    await stop();
    throw err;
  }
  const daemon = kpid;
  const api = async <T>(path: string): Promise<T> => (await fetch(`${daemon.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json() as Promise<T>;
  return {
    host, kpid: daemon, smtp, stop,
    firing: async () => (await api<{ alerts: { rule: string; state: string; labels: Record<string, string> }[] }>('/api/v1/alerts')).alerts
      .filter((a) => a.state === 'firing').map((a) => `${a.rule} ${a.labels.interface ?? a.labels.target}`).sort(),
    drops, dropsBefore, send,
    polls: async () => {
      const m = await daemon.metrics();
      return sumOf(m, 'kpid_collector_duration_seconds_count') - sumOf(m, 'kpid_collector_errors_total');
    },
  };
}
