import { readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInfluxd, type Influxd } from './helpers/influxd.js';
import { eventually, startKpid, type KpidProcess } from './helpers/kpid-process.js';

// A running kpid (dist/cli.js, as `npm start` runs it) with storage.influx
// configured writes its probe samples into a real influxd.
let influxd: Influxd;
let echo: Server;
let kpid: KpidProcess | undefined;
let kpidDir: string | undefined;

beforeAll(async () => {
  influxd = await startInfluxd();
  echo = createServer((s) => s.end());
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
});

afterAll(async () => {
  await kpid?.stop();
  await new Promise((r) => echo.close(r));
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
});
