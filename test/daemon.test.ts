import { execFile, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI, eventually, requireBuild, startKpid, type KpidProcess } from './helpers/kpid-process.js';

const run = promisify(execFile);

let echo: Server;
let echoPort: number;

function config(targets: string, extra = ''): string {
  return `server: { listen: "127.0.0.1:0" }
defaults: { interval: 1s, timeout: 800ms }
${extra}
targets:
${targets}
`;
}

const twoTargets = (port: number) => `  - name: loop
    site: lab
    address: 127.0.0.1
    probes: [ { type: icmp, count: 3, spacing: 20ms, reply_timeout: 200ms }, { type: tcp, port: ${port} } ]
  - name: second
    site: lab
    address: 127.0.0.2
    probes: [ { type: tcp, port: ${port} } ]
`;

const metricLine = (text: string, name: string, labels: string) =>
  text.split('\n').find((l) => l.startsWith(`${name}{`) && labels.split(',').every((p) => l.includes(p)));

describe('kpid run, as a process', () => {
  let kpid: KpidProcess | undefined;

  beforeAll(async () => {
    requireBuild();
    echo = createServer((s) => s.end());
    await new Promise<void>((r) => echo.listen(0, '0.0.0.0', r));
    echoPort = (echo.address() as { port: number }).port;
  });
  afterAll(() => echo?.close());
  afterEach(async () => {
    await kpid?.stop('SIGKILL');
    kpid = undefined;
  });

  it('serves probe metrics for its targets on /metrics, and health endpoints', async () => {
    kpid = await startKpid(config(twoTargets(echoPort)));
    const text = await eventually(async () => {
      const t = await kpid!.metrics();
      return metricLine(t, 'kpid_probe_rtt_seconds', 'target="loop",probe="icmp"')
        && metricLine(t, 'kpid_probe_success', `target="loop",probe="tcp:${echoPort}"`) && t;
    });
    expect(metricLine(text, 'kpid_probe_success', `target="loop",probe="tcp:${echoPort}"`)).toMatch(/ 1$/);
    expect(metricLine(text, 'kpid_probe_loss_ratio', 'target="loop",probe="icmp"')).toMatch(/ 0$/);
    expect(metricLine(text, 'kpid_target_up', 'target="loop",site="lab"')).toMatch(/ 1$/);
    expect(text).toContain('kpid_config_last_reload_success 1');
    expect(text).toMatch(/kpid_collector_duration_seconds_count\{collector="icmp"\} [1-9]/);
    // Prometheus's own linter finds nothing to complain about.
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(lint.error).toBeUndefined();
    expect(`${lint.stdout}${lint.stderr}`.trim()).toBe('');
    expect(lint.status).toBe(0);
    expect((await fetch(`${kpid.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${kpid.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${kpid.url}/nope`)).status).toBe(404);
  });

  it('a bad reload (SIGHUP or API) keeps the old config running and sets the reload metric to 0', async () => {
    kpid = await startKpid(config(twoTargets(echoPort)));
    await eventually(async () => metricLine(await kpid!.metrics(), 'kpid_probe_success', 'target="second"'));

    writeFileSync(kpid.configFile, config('  - name: loop\n    address: 127.0.0.1\n    probes: [ { type: tcp, port: "x" } ]\n'));
    kpid.proc.kill('SIGHUP');
    const rejected = await kpid.waitForLog((l) => l.msg === 'config reload rejected; the previous config keeps running');
    expect(String((rejected.errors as string[])[0])).toMatch(/kpid\.yaml:7:\d+: targets\.0\.probes\.0\.port: expected number/);
    const text = await kpid.metrics();
    expect(text).toContain('kpid_config_last_reload_success 0');
    expect(metricLine(text, 'kpid_probe_success', 'target="second"')).toBeDefined();

    const api = await fetch(`${kpid.url}/api/v1/reload`, { method: 'POST' });
    expect(api.status).toBe(422);
    const body = (await api.json()) as { error: { code: string; details: string[] } };
    expect(body.error.code).toBe('config_invalid');
    expect(body.error.details[0]).toMatch(/targets\.0\.probes\.0\.port/);

    // Still polling under the old config: its two targets, and TCP polls keep coming after both rejections.
    const tcpPolls = async () => Number(/kpid_collector_duration_seconds_count\{collector="tcp"\} (\d+)/.exec(await kpid!.metrics())?.[1] ?? NaN);
    const pollsAfterRejection = await tcpPolls();
    await eventually(async () => (await tcpPolls()) >= pollsAfterRejection + 4);
    expect(await kpid.metrics()).toContain('kpid_scheduler_targets 2');
    expect(kpid.logs.filter((l) => l.msg === 'config reloaded')).toEqual([]);
  });

  it('a good reload applies, and a target removed from config disappears from /metrics', async () => {
    kpid = await startKpid(config(twoTargets(echoPort)));
    await eventually(async () => metricLine(await kpid!.metrics(), 'kpid_probe_success', 'target="second"'));
    writeFileSync(kpid.configFile, config(`  - name: loop\n    site: lab\n    address: 127.0.0.1\n    probes: [ { type: tcp, port: ${echoPort} } ]\n`));
    const res = await fetch(`${kpid.url}/api/v1/reload`, { method: 'POST' });
    expect(res.status).toBe(200);
    const text = await kpid.metrics();
    expect(text).not.toContain('target="second"');
    expect(text).toContain('kpid_config_last_reload_success 1');
  });

  it('SIGTERM drains and exits 0 within 5 s', async () => {
    kpid = await startKpid(config(twoTargets(echoPort)));
    await eventually(async () => metricLine(await kpid!.metrics(), 'kpid_probe_success', 'target="loop"'));
    const started = Date.now();
    const code = await kpid.stop('SIGTERM');
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    kpid = undefined;
  });

  it('without fping, ICMP probes count fping_missing and the other collectors keep running', async () => {
    kpid = await startKpid(config(twoTargets(echoPort)), { PATH: '/nonexistent' });
    const text = await eventually(async () => {
      const t = await kpid!.metrics();
      return /kpid_collector_errors_total\{collector="icmp",reason="fping_missing"\} [1-9]/.test(t)
        && metricLine(t, 'kpid_probe_success', `target="loop",probe="tcp:${echoPort}"`) && t;
    });
    expect(metricLine(text, 'kpid_probe_success', `target="loop",probe="tcp:${echoPort}"`)).toMatch(/ 1$/);
    expect(metricLine(text, 'kpid_probe_success', 'target="loop",probe="icmp"')).toMatch(/ 0$/);
    const warning = await kpid.waitForLog((l) => l.reason === 'fping_missing');
    expect(String(warning.msg)).toContain('apt-get install fping');
  });

  it('refuses to start on an invalid config, printing located errors, exit 1', async () => {
    const err = await startKpid('defaults: { interval: fast }\n').catch((e) => e);
    expect(String(err)).toMatch(/exited 1 before running: .*kpid\.yaml:1:23: defaults\.interval: "fast" is not a duration/);
  });
});

describe('kpid check-config', () => {
  it('exits 0 on a valid config', async () => {
    const { stdout } = await run(process.execPath, [CLI, 'check-config', '-c', 'config/kpid.yaml']);
    expect(stdout).toMatch(/config\/kpid\.yaml: ok \(1 targets\)/);
  });

  it('exits 1 with file:line:col: path: message for each error', async () => {
    const dir = (await import('node:fs')).mkdtempSync('/tmp/kpid-cc-');
    const file = `${dir}/bad.yaml`;
    writeFileSync(file, 'server:\n  listen: nowhere\ntargets:\n  - name: a\n    adress: 127.0.0.1\n');
    const err = await run(process.execPath, [CLI, 'check-config', '-c', file]).catch((e) => e);
    expect(err.code).toBe(1);
    expect(err.stderr.trim().split('\n')).toEqual([
      `${file}:2:11: server.listen: "nowhere" is not host:port (for example 127.0.0.1:9464)`,
      `${file}:4:5: targets.0.address: is required (string)`,
      `${file}:5:5: targets.0.adress: unknown key "adress"; did you mean "address"?`,
    ]);
  });
});
