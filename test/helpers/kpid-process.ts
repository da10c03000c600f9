import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'dist/cli.js');

/** A kpid daemon running as a real process, as `npm start` runs it. */
export interface KpidProcess {
  readonly url: string;
  readonly proc: ChildProcess;
  readonly dir: string;
  readonly configFile: string;
  /** Every JSON log line so far. */
  readonly logs: Array<Record<string, unknown>>;
  /** Everything written to stderr so far (a crash's stack trace lands here). */
  stderr(): string;
  waitForLog(pred: (line: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown>>;
  metrics(): Promise<string>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function requireBuild(): void {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does it first)');
}

/** Runs `kpid run` on a config written to a temporary directory. */
export async function startKpid(configText: string, env: Record<string, string> = {}): Promise<KpidProcess> {
  requireBuild();
  const dir = mkdtempSync(join(tmpdir(), 'kpid-test-'));
  const configFile = join(dir, 'kpid.yaml');
  writeFileSync(configFile, configText);
  const proc = spawn(process.execPath, [CLI, 'run', '-c', configFile], {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A kpid left running by an interrupted test run must not outlive it.
  const reap = () => proc.kill('SIGKILL');
  process.once('exit', reap);
  proc.once('exit', () => process.off('exit', reap));
  const logs: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  let buffer = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buffer += d;
    let i: number;
    while ((i = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      try {
        logs.push(JSON.parse(line));
      } catch {
        logs.push({ msg: line });
      }
      for (const w of waiters) w();
    }
  });
  let stderr = '';
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));

  const waitForLog = (pred: (l: Record<string, unknown>) => boolean, ms = 30_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const hit = logs.find(pred);
        if (hit) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`log line not seen within ${ms}ms; stderr: ${stderr}; logs: ${JSON.stringify(logs.slice(-5))}`));
      }, ms);
      waiters.add(check);
      exited.then(() => setTimeout(check, 0));
      check();
    });

  const running = await Promise.race([
    // Starting node and loading every stage takes seconds when the machine is busy.
    waitForLog((l) => l.msg === 'kpid running', 45_000),
    exited.then((code) => {
      throw new Error(`kpid exited ${code} before running: ${stderr}`);
    }),
  ]).catch((err: unknown) => {
    // The test never gets a handle to stop it: a daemon left running would poll on after the suite.
    if (proc.exitCode === null) proc.kill('SIGKILL');
    throw err;
  });
  const url = String(running.url);
  return {
    url, proc, dir, configFile, logs, waitForLog,
    stderr: () => stderr,
    metrics: async () => (await fetch(`${url}/metrics`)).text(),
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/** Polls `fn` until it returns a truthy value or `ms` passes. */
export async function eventually<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, ms = 15_000, step = 100): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`condition not met within ${ms}ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, step));
  }
}
