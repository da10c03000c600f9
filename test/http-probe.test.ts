import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpCollector } from '../src/collectors/http/http-collector.js';
import { httpProbe } from '../src/config/sections/probes.js';
import type { Target } from '../src/core/target.js';

const target: Target = { name: 'portal', site: 'lab', address: '127.0.0.1', labels: {}, interval: 30_000, timeout: 5_000, probes: [] };

describe('HTTP probe against a responder with a known delay', () => {
  let server: Server;
  let port: number;
  const collector = new HttpCollector();
  const probe = (path: string, extra: Record<string, unknown> = {}) =>
    ({ ...httpProbe.parse({ type: 'http', url: `http://{address}:${port}${path}`, ...extra }), name: 'web' });

  beforeAll(async () => {
    server = createServer((req, res) => {
      const delay = Number(new URL(req.url!, 'http://x').searchParams.get('delay') ?? 0);
      const status = Number(new URL(req.url!, 'http://x').searchParams.get('status') ?? 200);
      setTimeout(() => res.writeHead(status).end('ok'), delay);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => server?.close());

  it('measures the time to the response within a few milliseconds of the responder\'s delay', async () => {
    const [s] = await collector.collect(target, probe('/?delay=150'), new AbortController().signal);
    expect(s!.fields.success).toBe(1);
    expect(s!.fields.status_code).toBe(200);
    expect(s!.fields.rtt_seconds!).toBeGreaterThanOrEqual(0.15);
    expect(s!.fields.rtt_seconds!).toBeLessThan(0.2);
    expect(s!.fields.duration_seconds!).toBeGreaterThanOrEqual(s!.fields.rtt_seconds!);
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
