import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHost, type TestHost } from './helpers/netns.js';
import { startKpid, type KpidProcess } from './helpers/kpid-process.js';
import { decodedHeader, plainText, TestSmtpServer } from './helpers/smtp.js';
import { waitFor } from './helpers/webhook.js';

const TOKEN = 'noise-token-0123456789abcdef';
const PORTS = 300;
const LOADED = 'ifb7';
/** Polls every 2 s instead of 30 s: every duration of the shipped rules and the KPI windows shrinks by this. */
const SCALE = 15;

/**
 * The shipped rule files with every duration divided by `SCALE` (for:, over:,
 * clear.for, keep_firing_for, warn_at), so minutes of the real thing fit in
 * seconds of test. Nothing else is changed.
 */
function scaledRules(dir: string): string {
  const src = resolve(import.meta.dirname, '../alert-rules');
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

/**
 * Issue 19 "done when": kpid with the shipped rules polls a real snmpd in a
 * namespace with 300 idle ifb ports that drop the odd frame: no alert, no
 * mail. Then real load with real discards on one port fires that port's
 * discard alerts, each mailed once.
 */
describe('idle ports that drop the odd frame, polled by kpid with the shipped rules', () => {
  let host: TestHost;
  let snmpd: ChildProcess;
  let kpid: KpidProcess;
  const frames: ChildProcess[] = [];
  const smtp = new TestSmtpServer();
  let dir: string;

  const api = async <T>(path: string): Promise<T> => (await fetch(`${kpid.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json() as Promise<T>;
  const firing = async () => (await api<{ alerts: { rule: string; state: string; labels: Record<string, string> }[] }>('/api/v1/alerts')).alerts
    .filter((a) => a.state === 'firing').map((a) => `${a.rule} ${a.labels.interface ?? a.labels.target}`).sort();
  const drops = () => new Map((JSON.parse(host.exec('ip', ['-s', '-j', 'link', 'show', 'type', 'ifb'])) as LinkStats[])
    .map((l) => [l.ifname, l.stats64?.rx?.dropped ?? 0]));
  const send = (rate: number, only?: string) => {
    const p = spawn('ip', ['netns', 'exec', host.ns, 'python3', '-c', FRAMES, String(PORTS), String(rate), ...(only ? [only] : [])], { stdio: 'ignore' });
    frames.push(p);
    return p;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kpid-noise-'));
    host = createTestHost('noise', 41);
    const links = Array.from({ length: PORTS }, (_, i) => `link add ifb${i} type ifb\nlink set ifb${i} up`).join('\n');
    host.exec('ip', ['-batch', '-'], `${links}\n`);
    writeFileSync(join(dir, 'snmpd.conf'), `agentAddress udp:${host.address}:1161\nrocommunity public\n`);
    snmpd = spawn('ip', ['netns', 'exec', host.ns, 'snmpd', '-f', '-Lo', '-C', '-c', join(dir, 'snmpd.conf'), '-p', join(dir, 'snmpd.pid')], { stdio: 'ignore' });
    await smtp.start();
    kpid = await startKpid(`
server: { listen: "127.0.0.1:0", api_token: "\${KPID_API_TOKEN}" }
defaults: { interval: 2s, timeout: 1500ms }
rules: [ "${scaledRules(dir)}" ]
# the catalogue's 5-minute ratio window, scaled as the rules are; least volume unchanged (1,000 packets)
kpis: { interface_errors: { window: 20s } }
notify:
  channels:
    noc-mail: { email: { smtp: { host: 127.0.0.1, port: ${smtp.port}, secure: false }, from: kpid@example.net, to: [noc@example.net] } }
  routes: [ { match: {}, channels: [noc-mail], group_wait: 200ms } ]
targets:
  - { name: access-1, site: lab, address: ${host.address}, snmp: { version: 2c, community: public, port: 1161, timeout: 1s, retries: 1, max_repetitions: 100 } }
`, { KPID_API_TOKEN: TOKEN });
  }, 60_000);

  afterAll(async () => {
    for (const p of frames) p.kill('SIGKILL');
    await kpid?.stop();
    snmpd?.kill('SIGTERM');
    await smtp.stop();
    host?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('polls 300 idle ports for 25 polls: frames dropped here and there, no alert and no mail', async () => {
    const before = drops();
    send(4); // one frame on a random port 4 times a second
    await kpid.waitForLog((l) => l.msg === 'kpid running');
    await new Promise((r) => setTimeout(r, 50_000));
    const after = drops();
    const dropping = [...after].filter(([name, n]) => n > (before.get(name) ?? 0)).length;
    // ground truth from the kernel: the noise really reached many ports
    expect(dropping).toBeGreaterThan(100);
    const metrics = await kpid.metrics();
    // kpid saw them: the interface samples carry the discards it summed
    expect(metrics).toMatch(/kpid_interface_\w+\{[^}]*interface="ifb\d+"/);
    expect(await firing()).toEqual([]);
    expect(smtp.mails).toEqual([]);
    // no ratio for an idle port (the veth that carries the SNMP traffic has one: it has the volume)
    expect(metrics.split('\n').filter((l) => l.startsWith('kpid_kpi_value{kpi="interface_errors"') && l.includes('/ifb'))).toEqual([]);
  }, 80_000);

  it('real load with real discards on one port fires that port\'s discard alerts, each mailed once', async () => {
    const load = send(300, LOADED); // 300 frames/s, every one dropped: 100 % discards, well over the 1,000-packet volume
    const want = [`InterfaceInDiscardsCritical ${LOADED}`, `InterfaceInDiscardsWarning ${LOADED}`];
    await waitFor(async () => (await firing()).length >= 2, 40_000, 'the discard alerts of the loaded port');
    load.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 6_000));
    expect(await firing()).toEqual(want);
    // One page per alert: the subject leads with severity and the port, the text names the rule and the ratio.
    const pages = smtp.mails.map((m) => ({ subject: decodedHeader(m.raw, 'Subject'), text: plainText(m.raw) }))
      .sort((a, b) => a.subject.localeCompare(b.subject));
    expect(pages).toHaveLength(2);
    expect(pages[0]!.subject).toMatch(new RegExp(`^\\[CRIT\\] lab/access-1/${LOADED} `));
    expect(pages[0]!.text).toMatch(/InterfaceInDiscardsCritical/);
    expect(pages[0]!.text).toMatch(/inbound discards are \d+(\.\d+)?% of packets \(over 1%\)/);
    expect(pages[1]!.subject).toMatch(new RegExp(`^\\[WARN\\] lab/access-1/${LOADED} `));
    expect(pages[1]!.text).toMatch(/InterfaceInDiscardsWarning/);
    expect(pages[1]!.text).toMatch(/inbound discards are \d+(\.\d+)?% of packets \(over 0\.1%\)/);
  }, 60_000);
});
