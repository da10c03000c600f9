import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './influxd.js';

/** A private Prometheus (Debian `prometheus`) on loopback scraping the given targets every second. */
export interface PrometheusServer {
  readonly url: string;
  /** Instant query; returns the result vector. */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  stop(): Promise<void>;
}

export async function startPrometheus(scrapeTargets: string[]): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'kpid-prometheus-'));
  const port = await freePort();
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: kpid',
      '    static_configs:',
      `      - targets: [${scrapeTargets.map((t) => `"${t}"`).join(', ')}]`,
      '',
    ].join('\n'),
  );
  const proc: ChildProcess = spawn(
    'prometheus',
    [`--config.file=${config}`, `--storage.tsdb.path=${dir}/data`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  proc.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (proc.exitCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const query = async (expr: string) => {
    const res = await fetch(`${url}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: expr }),
    });
    const body = (await res.json()) as { status: string; error?: string; data?: { resultType: string; result: unknown } };
    if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
    if (body.data!.resultType === 'scalar') return [{ metric: {}, value: body.data!.result as [number, string] }];
    return body.data!.result as Array<{ metric: Record<string, string>; value: [number, string] }>;
  };

  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`prometheus exited with ${proc.exitCode}: ${log}`);
      if (Date.now() > deadline) throw new Error(`prometheus did not scrape its targets: ${log}`);
      try {
        const up = await query('up == 1');
        if (up.length === scrapeTargets.length) break;
      } catch {
        // not ready yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, query, stop };
}
