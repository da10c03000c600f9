import { readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInfluxd, type Influxd } from './helpers/influxd.js';
import { HoldingProxy } from './helpers/holding-proxy.js';
import { eventually, startKpid, type KpidProcess } from './helpers/kpid-process.js';

// A running kpid (dist/cli.js, as `npm start` runs it) with storage.influx
// configured writes its probe samples into a real influxd.
let influxd: Influxd;
let echo: Server;
let kpid: KpidProcess | undefined;
let kpidDir: string | undefined;
let proxy: HoldingProxy | undefined;
/** TCP connections the echo server accepted: one per successful probe, the ground truth. */
let accepted = 0;
/** Set to make the echo server stop listening right after the next connection, far from the probe after it. */
let closeAfterNext = false;

beforeAll(async () => {
  influxd = await startInfluxd();
  echo = createServer((s) => {
    accepted++;
    s.end();
    if (closeAfterNext) echo.close();
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
});

afterAll(async () => {
  await kpid?.stop();
  await proxy?.stop();
  if (echo.listening) await new Promise((r) => echo.close(r));
  await influxd?.stop();
  if (kpidDir) rmSync(kpidDir, { recursive: true, force: true });
});

describe('kpid run with storage.influx', () => {
  it('writes every probe sample to InfluxDB with integer counters and identifying tags, and flushes on SIGTERM', async () => {
    const port = (echo.address() as { port: number }).port;
    kpid = await startKpid(`server: { listen: "127.0.0.1:0" }
defaults: { interval: 500ms, timeout: 400ms }
storage:
  influx: { url: "${influxd.url}", database: kpid, retention: 1d, flush_interval: 200ms, spool: { dir: spool, max_bytes: 10MiB } }
targets:
  - name: echo-1
    site: lab
    address: 127.0.0.1
    probes: [ { type: tcp, port: ${port} } ]
`);
    kpidDir = kpid.dir;
    const rows = await eventually(async () => {
      const r = await influxd.rows(`SELECT * FROM probe WHERE target = 'echo-1'`, 'kpid');
      return r.length >= 3 ? r : undefined;
    });
    expect(rows[0]).toMatchObject({ target: 'echo-1', success: 1 });
    const fields = await influxd.query('SHOW FIELD KEYS FROM probe', 'kpid');
    const types = Object.fromEntries(fields.results[0]!.series![0]!.values as [string, string][]);
    expect(types.success).toBe('integer');
    expect(types.rtt_seconds).toBe('float');
    const policies = await influxd.rows('SHOW RETENTION POLICIES', 'kpid');
    expect(policies).toContainEqual(expect.objectContaining({ name: 'kpid', duration: '24h0m0s', default: true }));
    expect(await kpid.metrics()).toMatch(/kpid_store_points_total\{result="written"\} [1-9]/);

    expect(await kpid.stop()).toBe(0);
    // Nothing left behind: the last buffered samples were written at shutdown, not spooled.
    expect(readdirSync(join(kpid.dir, 'spool'))).toEqual([]);
    const after = await influxd.rows(`SELECT count(rtt_seconds) FROM probe WHERE target = 'echo-1'`, 'kpid');
    expect(Number(after[0]!.count)).toBeGreaterThanOrEqual(rows.length);
    kpid = undefined;
  });

  it('influxd killed (SIGKILL) twice with a batch in flight, one it never got and one it stored unanswered: every probe sample is stored exactly once', async () => {
    proxy = new HoldingProxy(influxd.port);
    await proxy.start();
    accepted = 0;
    const port = (echo.address() as { port: number }).port;
    kpid = await startKpid(`server: { listen: "127.0.0.1:0" }
defaults: { interval: 1s, timeout: 500ms }
storage:
  influx: { url: "${proxy.url}", database: crash, retention: 1d, flush_interval: 200ms, spool: { dir: spool, max_bytes: 10MiB } }
targets:
  - name: echo-2
    site: lab
    address: 127.0.0.1
    probes: [ { type: tcp, port: ${port} } ]
`);
    kpidDir = kpid.dir;
    const stored = async (where = '') =>
      Number((await influxd.rows(`SELECT count(success) FROM probe WHERE target = 'echo-2' ${where}`, 'crash').catch(() => []))[0]?.count ?? 0);
    await eventually(async () => (await stored()) >= 3);

    // Twice influxd dies with a batch in flight: first one it never received (lost unless kpid sends it
    // again), then one it stored but whose answer never came back (stored twice unless resent as the same points).
    for (const mode of ['stalling', 'holding'] as const) {
      proxy[mode] = true;
      await eventually(() => (mode === 'stalling' ? proxy!.stalledRequests : proxy!.heldReplies) > 0);
      await influxd.crash();
      await new Promise((r) => setTimeout(r, 1_000)); // kpid spools meanwhile
      await influxd.start();
      proxy.release();
      const before = await stored();
      await eventually(async () => (await stored()) > before, 30_000);
    }

    // End the ground truth just after a probe, a whole interval before the next: from then on
    // probes fail without a connection being accepted, and none can be half-accepted at the close.
    closeAfterNext = true;
    await eventually(() => !echo.listening);
    const successes = accepted;
    // Failed probes after the successful ones are stored, so every success is through the spool.
    await eventually(async () => (await stored('AND success = 0')) >= 2, 30_000);
    expect(await kpid.stop()).toBe(0);
    kpid = undefined;
    expect(readdirSync(join(kpidDir, 'spool'))).toEqual([]);

    // Every successful probe once: none lost, none stored twice.
    expect(successes).toBeGreaterThan(3);
    expect(await stored('AND success = 1')).toBe(successes);
    // And the held case happened: a probe line influxd had stored went to it a second time.
    const sends = proxy.timesSent(/^(probe,[^ ]*target=echo-2[^ ]* [^ ]+ \d{13})(?!\d)/gm);
    expect([...sends.values()].some((n) => n >= 2)).toBe(true);
  });
});
