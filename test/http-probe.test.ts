import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpCollector } from '../src/collectors/http/http-collector.js';
import { httpProbe } from '../src/collectors/http/http-config.js';
import type { Target } from '../src/core/target.js';

const target: Target = { name: 'portal', site: 'lab', address: '127.0.0.1', labels: {}, interval: 30_000, timeout: 5_000, probes: [] };

/**
 * The responder runs in a process of its own, so its delays are not held up by
 * the probe's event loop (or the probe's by its timers). `?delay=` ms before the
 * headers, `?body_delay=` ms more before the body, `?status=` the status code.
 */
const RESPONDER = `
  const { createServer } = require('node:http');
  const server = createServer((req, res) => {
    const q = new URL(req.url, 'http://x').searchParams;
    setTimeout(() => {
      res.writeHead(Number(q.get('status') ?? 200));
      res.flushHeaders();
      setTimeout(() => res.end('ok'), Number(q.get('body_delay') ?? 0));
    }, Number(q.get('delay') ?? 0));
  });
  server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

describe('HTTP probe against a responder with a known delay', () => {
  let server: ChildProcess;
  let port: number;
  const collector = new HttpCollector();
  const probe = (path: string, extra: Record<string, unknown> = {}) =>
    ({ ...httpProbe.parse({ type: 'http', url: `http://{address}:${port}${path}`, ...extra }), name: 'web' });

  beforeAll(async () => {
    server = spawn(process.execPath, ['-e', RESPONDER], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = await once(server.stdout!, 'data');
    port = Number(String(line).trim());
  });
  afterAll(() => {
    server?.kill();
  });

  it('rtt is the time to the headers and duration the time to the last byte, each at least the responder\'s delay', async () => {
    // Headers after 150 ms, the body a second later: the two times cannot be confused.
    const started = process.hrtime.bigint();
    const [s] = await collector.collect(target, probe('/?delay=150&body_delay=1000'), new AbortController().signal);
    const waited = Number(process.hrtime.bigint() - started) / 1e9;
    expect(s!.fields.success).toBe(1);
    expect(s!.fields.status_code).toBe(200);
    expect(s!.fields.rtt_seconds!).toBeGreaterThanOrEqual(0.15);
    expect(s!.fields.rtt_seconds!).toBeLessThan(1.15);
    expect(s!.fields.duration_seconds!).toBeGreaterThanOrEqual(1.15);
    expect(s!.fields.duration_seconds!).toBeLessThanOrEqual(waited);
  });

  it('an unexpected status is a failed probe that reports the status', async () => {
    const [s] = await collector.collect(target, probe('/?status=503'), new AbortController().signal);
    expect(s!.fields).toMatchObject({ success: 0, status_code: 503 });
  });

  it('expect_status widens what counts as success', async () => {
    const [s] = await collector.collect(target, probe('/?status=401', { expect_status: [401] }), new AbortController().signal);
    expect(s!.fields.success).toBe(1);
  });

  it('a timed-out request fails when the poll is aborted', async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(new Error('timeout')), 100);
    const [s] = await collector.collect(target, probe('/?delay=2000'), ctl.signal);
    expect(s!.fields).toEqual({ success: 0 });
  });
});
