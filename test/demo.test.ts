import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it, type TestContext } from 'vitest';
import { CLI, requireBuild } from './helpers/kpid-process.js';
import { decodedHeader, plainText, TestSmtpServer } from './helpers/smtp.js';

/**
 * `kpid demo` as a newcomer runs it: a real process, its console, its API.
 * Issue 7, done when: `kpid demo --speed 60` produces a firing alert, an
 * outage and its restore within 90 s.
 */
interface DemoRun {
  readonly proc: ChildProcess;
  output(): string;
  waitFor(re: RegExp, ms: number): Promise<RegExpExecArray>;
  readonly exited: Promise<number | null>;
}

function runDemo(args: string[]): DemoRun {
  requireBuild();
  if (!existsSync(CLI.replace(/cli\.js$/, 'demo/run-demo.js'))) throw new Error('dist has no demo: run `npm run build`');
  const proc = spawn(process.execPath, [CLI, 'demo', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const waiters = new Set<() => void>();
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    for (const w of waiters) w();
  });
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const waitFor = (re: RegExp, ms: number) => new Promise<RegExpExecArray>((resolve, reject) => {
    const check = () => {
      const m = re.exec(out);
      if (!m) return;
      waiters.delete(check);
      clearTimeout(timer);
      resolve(m);
    };
    const timer = setTimeout(() => {
      waiters.delete(check);
      reject(new Error(`${re} not printed within ${ms}ms; output so far:\n${out}`));
    }, ms);
    waiters.add(check);
    check();
  });
  return { proc, output: () => out, waitFor, exited };
}

interface OutageJson {
  service: string;
  state: string;
  durationSeconds: number;
  sla: { recoveryTargetSeconds: number; warningsSentSeconds: number[]; breached: boolean; met: boolean | null };
}

/** Starts a demo that the test stops when it ends, passed or failed. */
function demoFor(t: TestContext, args: string[]): DemoRun {
  const run = runDemo(args);
  t.onTestFinished(async () => {
    if (run.proc.exitCode !== null) return;
    // Ctrl-C lets the demo remove its temporary directory; SIGKILL only if that hangs.
    run.proc.kill('SIGINT');
    const killer = setTimeout(() => run.proc.kill('SIGKILL'), 5_000);
    await run.exited;
    clearTimeout(killer);
  });
  return run;
}

describe('kpid demo (a real process)', () => {
  it('--speed 60: a firing alert, an outage with its SLA warnings and its restore within 90 s, confirmed by /api/v1/outages', async (t) => {
    const { expect } = t;
    const started = Date.now();
    const run = demoFor(t, ['--speed', '60']);
    const url = (await run.waitFor(/kpid API: (http:\/\/127\.0\.0\.1:\d+)/, 15_000))[1]!;
    const dir = (await run.waitFor(/Config, state and kpid's log: (\S+)/, 1_000))[1]!;

    // Congestion injected at T+2m, `for: 5m`: fires around T+7m, 7 s real.
    await run.waitFor(/FIRING +InterfaceInUtilisationCritical \(critical\): core-1 xe-0\/0\/1 inbound at 9\d(\.\d+)?%/, 20_000);
    await run.waitFor(/OUTAGE +shanghai\/edge-1 opened, down since T\+1[23]:\d\d; SLA clock: 30m to restore, warnings at 15m and 25m/, 30_000);
    await run.waitFor(/SLA +SLA warning: shanghai\/edge-1 down for 15m; 15m left/, 40_000);
    await run.waitFor(/SLA +SLA warning: shanghai\/edge-1 down for 25m; 5m left/, 50_000);
    await run.waitFor(/RESTORED shanghai\/edge-1 restored after 2\dm[^;]*; recovery target 30m met/, 60_000);
    expect(Date.now() - started).toBeLessThan(90_000);

    // The ledger agrees: edge-1 was off from T+12m to T+40m (28 min); kpid declares
    // it after 3 failed polls and sees it back at the first answered one.
    const { outages } = (await (await fetch(`${url}/api/v1/outages`)).json()) as { outages: OutageJson[] };
    const edge = outages.find((o) => o.service === 'shanghai/edge-1');
    expect(edge).toMatchObject({ state: 'restored', sla: { recoveryTargetSeconds: 1_800, warningsSentSeconds: [900, 1_500], breached: false, met: true } });
    expect(edge!.durationSeconds).toBeGreaterThan(26 * 60);
    expect(edge!.durationSeconds).toBeLessThan(28 * 60 + 30);

    // The rest of the script: the drop spike, the fibre cut that misses its target, then a clean exit.
    expect(await run.exited).toBe(0);
    const out = run.output();
    expect(out).toMatch(/FIRING +CallDropRateHigh \(critical\): call drop rate on voice-sw-1 is \d(\.\d+)?% over 15m/);
    expect(out).toMatch(/FIRING +LinkDown \(critical\): core-2 et-0\/0\/2/);
    expect(out).toMatch(/BREACH +SLA breached: beijing\/core-2\/et-0\/0\/2 not restored within 30m/);
    expect(out).toMatch(/RESOLVED CallDropRateHigh/);
    expect(out).toMatch(/shanghai\/edge-1 +2\dm(\d+s)? +restored, target met/);
    expect(out).toMatch(/beijing\/core-2\/et-0\/0\/2 +3\dm(\d+s)? +restored, target missed/);
    expect(out).not.toMatch(/ERROR/);
    expect(existsSync(dir)).toBe(false);
    expect(Date.now() - started).toBeLessThan(70_000);
  }, 95_000);

  it('--smtp mails the alerts to a local SMTP server; Ctrl-C ends the demo cleanly with its summary', async (t) => {
    const { expect } = t;
    const smtp = new TestSmtpServer();
    await smtp.start();
    t.onTestFinished(() => smtp.stop());
    const run = demoFor(t, ['--speed', '60', '--smtp', `127.0.0.1:${smtp.port}`]);
    const dir = (await run.waitFor(/Config, state and kpid's log: (\S+)/, 15_000))[1]!;
    expect(existsSync(dir)).toBe(true);
    await run.waitFor(/FIRING +InterfaceInUtilisationCritical/, 20_000);
    const deadline = Date.now() + 5_000;
    while (!smtp.mails.some((m) => /InterfaceInUtilisationCritical/.test(plainText(m.raw))) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const mail = smtp.mails.find((m) => /InterfaceInUtilisationCritical/.test(plainText(m.raw)));
    expect(mail?.to).toEqual(['noc@localhost']);
    expect(decodedHeader(mail!.raw, 'Subject')).toMatch(/^\[CRIT\] /);

    run.proc.kill('SIGINT');
    expect(await run.exited).toBe(0);
    expect(run.output()).toMatch(/END +interrupted\n\nAlerts fired: .*InterfaceInUtilisationCritical/);
    expect(existsSync(dir)).toBe(false);
  }, 40_000);

  // Each a process that starts, refuses and exits: no clock to keep up with, so they run at the same time.
  it.concurrent.for([
    [['--speed', '0'], /--speed must be a number from 1 to 120/],
    [['--duration', 'soon'], /--duration must be a duration/],
    [['--smtp', 'mailhost'], /--smtp must be host:port/],
    [['--bogus'], /Unknown option '--bogus'/],
  ] as const)('%j is refused with exit status 2', async ([args, message], t) => {
    const { expect } = t;
    const run = demoFor(t, [...args]);
    expect(await run.exited).toBe(2);
    expect(run.output()).toMatch(message);
  });
});
