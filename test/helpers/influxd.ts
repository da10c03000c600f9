import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A private InfluxDB 1.x (Debian `influxd`) on loopback, with its data in a temporary directory. */
export interface Influxd {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Stops the server, keeping its data, so `start` brings the same database back on the same port. */
  pause(): Promise<void>;
  /** SIGKILL, as a power cut or the OOM killer: no shutdown, only what reached its WAL survives; `start` brings it back. */
  crash(): Promise<void>;
  start(): Promise<void>;
  /** Runs InfluxQL and returns the parsed JSON answer. */
  query(q: string, db?: string): Promise<InfluxAnswer>;
  /** Rows of the first series of the first statement. */
  rows(q: string, db?: string): Promise<Array<Record<string, unknown>>>;
  stop(): Promise<void>;
}

export interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}
export interface InfluxAnswer {
  results: Array<{ statement_id: number; series?: InfluxSeries[]; error?: string }>;
  error?: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function startInfluxd(): Promise<Influxd> {
  const dir = mkdtempSync(join(tmpdir(), 'kpid-influxd-'));
  const port = await freePort();
  const rpcPort = await freePort();
  const config = join(dir, 'influxdb.conf');
  writeFileSync(
    config,
    [
      'reporting-disabled = true',
      `bind-address = "127.0.0.1:${rpcPort}"`,
      '[meta]',
      `  dir = "${dir}/meta"`,
      '[data]',
      `  dir = "${dir}/data"`,
      `  wal-dir = "${dir}/wal"`,
      '  query-log-enabled = false',
      '[monitor]',
      '  store-enabled = false',
      '[continuous_queries]',
      '  log-enabled = false',
      '[http]',
      `  bind-address = "127.0.0.1:${port}"`,
      '  log-enabled = false',
      '[logging]',
      '  level = "error"',
      '',
    ].join('\n'),
  );
  const url = `http://127.0.0.1:${port}`;
  let proc: ChildProcess | undefined;
  let log = '';

  const start = async () => {
    proc = spawn('influxd', ['-config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    proc.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) throw new Error(`influxd exited with ${proc.exitCode}: ${log}`);
      try {
        const res = await fetch(`${url}/ping`);
        if (res.status === 204) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`influxd did not answer /ping on ${url}: ${log}`);
  };

  const halt = async (signal: 'SIGTERM' | 'SIGKILL') => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill(signal);
    const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const pause = () => halt('SIGTERM');

  const query = async (q: string, db?: string): Promise<InfluxAnswer> => {
    const u = new URL('/query', url);
    u.searchParams.set('q', q);
    u.searchParams.set('epoch', 'ms');
    if (db) u.searchParams.set('db', db);
    const res = await fetch(u, { method: 'POST' });
    return (await res.json()) as InfluxAnswer;
  };

  await start();
  return {
    url,
    port,
    dir,
    pause,
    crash: () => halt('SIGKILL'),
    start,
    query,
    rows: async (q, db) => {
      const answer = await query(q, db);
      const result = answer.results?.[0];
      if (answer.error || result?.error) throw new Error(`${q}: ${answer.error ?? result?.error}`);
      const series = result?.series?.[0];
      if (!series) return [];
      return series.values.map((v) => Object.fromEntries(series.columns.map((c, i) => [c, v[i]])));
    },
    stop: async () => {
      await pause();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
