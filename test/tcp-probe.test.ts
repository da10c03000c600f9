import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TcpCollector } from '../src/collectors/tcp/tcp-collector.js';
import type { Target } from '../src/core/target.js';
import { createTestHost, type TestHost } from './helpers/netns.js';

function target(name: string, address: string): Target {
  return { name, site: 'lab', address, labels: {}, interval: 30_000, timeout: 5_000, probes: [] };
}
const tcp = (port: number) => ({ type: 'tcp' as const, name: `tcp:${port}`, port });

async function listen(): Promise<{ server: Server; port: number }> {
  const server = createServer((s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port };
}

describe('TCP connect probe', () => {
  const collector = new TcpCollector();
  let open: { server: Server; port: number };
  let deadPort: number;
  let host: TestHost;

  beforeAll(async () => {
    open = await listen();
    const closed = await listen();
    deadPort = closed.port;
    await new Promise((r) => closed.server.close(r));
    host = createTestHost('kpt-tcp', 63);
  });
  afterAll(() => {
    open?.server.close();
    host?.remove();
  });

  it('an open port succeeds with its connect time', async () => {
    const [s] = await collector.collect(target('web', '127.0.0.1'), tcp(open.port), new AbortController().signal);
    expect(s!.tags).toEqual({ target: 'web', site: 'lab', probe: `tcp:${open.port}` });
    expect(s!.fields.success).toBe(1);
    expect(s!.fields.rtt_seconds!).toBeGreaterThan(0);
    expect(s!.fields.rtt_seconds!).toBeLessThan(0.5);
  });

  it('a dead port is a failed probe, not an error', async () => {
    const [s] = await collector.collect(target('web', '127.0.0.1'), tcp(deadPort), new AbortController().signal);
    expect(s!.fields).toEqual({ success: 0 });
  });

  it('an unreachable host fails when the poll is aborted at its timeout', async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(new Error('timeout')), 300);
    const started = Date.now();
    const [s] = await collector.collect(target('gone', host.silentAddress), tcp(22), ctl.signal);
    expect(s!.fields).toEqual({ success: 0 });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('an unresolvable name is an error naming the target', async () => {
    const err = await collector.collect(target('typo', 'no-such-host.invalid'), tcp(80), new AbortController().signal)
      .catch((e) => e);
    expect(err.reason).toBe('resolve');
    expect(err.message).toMatch(/target "typo": cannot resolve address "no-such-host.invalid"/);
    expect(err.samples[0].fields).toEqual({ success: 0 });
  });
});
