import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { plain } from './helpers/cluster.js';
import { FakeWallClock } from './helpers/faketime.js';
import { eventually, requireBuild, startKpid, type KpidProcess } from './helpers/kpid-process.js';
import { freeTcpPort } from './helpers/redis.js';
import { TestSmtpServer, mailEverythingTo } from './helpers/smtp.js';

/**
 * issue 14 §9 against the real daemon: its wall clock is stepped under it
 * (libfaketime) while an outage is open, its monotonic clock is left alone.
 * The SLA clock is on a shortened scale: warnings at 2 s and 10 s, recovery
 * target 20 s. The device is a TCP probe to a port nobody listens on until
 * the test opens it.
 */
const RULE = `groups:
  - name: clock
    rules:
      - alert: DeviceDown
        select: { measurement: target }
        value: { field: up }
        when: "< 1"
        severity: critical
        outage: { service: "{{ $labels.target }}", recovery_target: 20s, warn_at: [2s, 10s] }
`;

interface OutageJson { id: string; state: string; startedAt: string; durationSeconds: number; sla: { remainingSeconds: number; breached: boolean } }

describe('the real daemon across a wall clock jump mid-outage', () => {
  let dir: string;
  let smtp: TestSmtpServer;
  let wall: FakeWallClock;
  let kpid: KpidProcess | undefined;
  let device: Server | undefined;
  let port: number;

  beforeAll(() => requireBuild());
  const setup = async () => {
    dir = mkdtempSync(join(tmpdir(), 'kpid-clock-jump-'));
    writeFileSync(join(dir, 'rules.yaml'), RULE);
    smtp = new TestSmtpServer();
    await smtp.start();
    wall = new FakeWallClock();
    port = await freeTcpPort();
    kpid = await startKpid(`server: { listen: "127.0.0.1:0" }
state: { sqlite: "${join(dir, 'kpid.db')}" }
defaults: { interval: 1s, timeout: 500ms }
rules: [ "${join(dir, 'rules.yaml')}" ]
${mailEverythingTo(smtp.port)}
targets:
  - { name: sbc-1, site: dc1, address: 127.0.0.1, probes: [ { type: tcp, port: ${port} } ] }
`, wall.env);
  };
  afterEach(async () => {
    await kpid?.stop('SIGKILL');
    device?.close();
    await smtp.stop();
    wall.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const outage = async () => ((await (await fetch(`${kpid!.url}/api/v1/outages`)).json()) as { outages: OutageJson[] }).outages[0];
  const mails = (re: RegExp) => smtp.mails.filter((m) => re.test(plain(m)));
  const jumpLogged = (direction: string) => kpid!.waitForLog((l) => l.direction === direction && /wall clock jumped/.test(String(l.msg)), 15_000);

  it('+2 h after the first warning: the 10 s warning and the breach each come once, at their real time, not at the jump', async () => {
    await setup();
    const opened = await eventually(outage, 15_000, 50);
    const start = Date.parse(opened.startedAt);
    await eventually(() => mails(/SLA warning: sbc-1 down for 2s/).length > 0, 10_000, 20);
    wall.jump(7_200);
    const logged = await jumpLogged('forward');
    expect(Number(logged.jumpSeconds)).toBeGreaterThanOrEqual(7_190);
    expect(Date.now() - start, 'the jump came in time to test the breach (a very loaded machine?)').toBeLessThan(18_000);

    // While it runs, the API shows the real time down and left, never two hours more.
    const during = await outage();
    expect(during.durationSeconds).toBeLessThan(60);
    expect(during.sla.remainingSeconds + during.durationSeconds).toBeCloseTo(20, 0);

    const breach = await eventually(() => mails(/SLA breached: sbc-1/)[0], 40_000, 50);
    expect(breach.at - start).toBeGreaterThanOrEqual(19_500);
    expect(mails(/SLA warning: sbc-1 down for 10s/)[0]!.at - start).toBeGreaterThanOrEqual(9_500);
    await new Promise((r) => setTimeout(r, 2_000));
    expect({ warn2: mails(/SLA warning: sbc-1 down for 2s/).length, warn10: mails(/SLA warning: sbc-1 down for 10s/).length, breach: mails(/SLA breached: sbc-1/).length })
      .toEqual({ warn2: 1, warn10: 1, breach: 1 });

    const metrics = await kpid!.metrics();
    expect(metrics).toContain('kpid_clock_jumps_total{direction="forward"} 1');
    expect(metrics).toContain('kpid_clock_jumps_total{direction="backward"} 0');
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: metrics, encoding: 'utf8' });
    expect(`${lint.stdout}${lint.stderr}`.trim()).toBe('');
    expect(lint.status).toBe(0);
  });

  it('−1 h mid-outage: the restore keeps the real downtime (not "restored after 0 s")', async () => {
    await setup();
    const opened = await eventually(outage, 15_000, 50);
    const start = Date.parse(opened.startedAt);
    await eventually(() => mails(/SLA warning: sbc-1 down for 2s/).length > 0, 10_000, 20);
    wall.jump(-3_600);
    await jumpLogged('backward');
    // Down for at least 6 s in all, then the device answers again.
    await new Promise((r) => setTimeout(r, Math.max(0, start + 6_000 - Date.now())));
    device = createServer((s) => s.destroy());
    await new Promise<void>((r) => device!.listen(port, '127.0.0.1', r));
    const restoredMail = await eventually(() => mails(/sbc-1 restored after/)[0], 20_000, 50);
    const realSeconds = (restoredMail.at - start) / 1000;

    const closed = await outage();
    expect(closed.state).toBe('restored');
    expect(closed.durationSeconds).toBeGreaterThanOrEqual(6);
    expect(closed.durationSeconds).toBeLessThanOrEqual(realSeconds + 1);
    const said = /restored after (\d+)s/.exec(plain(restoredMail));
    expect(Number(said?.[1])).toBeGreaterThanOrEqual(6);
    expect(await kpid!.metrics()).toContain('kpid_clock_jumps_total{direction="backward"} 1');
  });
});
