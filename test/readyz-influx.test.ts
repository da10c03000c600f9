import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInfluxd, type Influxd } from './helpers/influxd.js';
import { eventually, startKpid, type KpidProcess } from './helpers/kpid-process.js';

/** GET /readyz: the status and the body, which names the reason when not ready. */
async function readyz(kpid: KpidProcess): Promise<{ status: number; body: string }> {
  const res = await fetch(`${kpid.url}/readyz`);
  return { status: res.status, body: await res.text() };
}
const notReady = (kpid: KpidProcess) => eventually(async () => {
  const r = await readyz(kpid);
  return r.status === 503 && r;
}, 30_000);
const ready = (kpid: KpidProcess) => eventually(async () => {
  const r = await readyz(kpid);
  return r.status === 200 && r;
}, 40_000);

/**
 * Readiness follows a real influxd: kpid starts while it is down, becomes
 * ready when it comes up, unready when it stops, ready when it returns.
 * /healthz (liveness) stays 200 throughout: an unreachable store is not a
 * reason to restart kpid, whose samples spool meanwhile.
 */
describe('/readyz while InfluxDB is down, and after it returns', () => {
  let influx: Influxd;
  let service: Server;
  let servicePort: number;

  beforeAll(async () => {
    influx = await startInfluxd();
    await influx.pause(); // down before kpid starts: kpid has never reached it
    service = createServer((s) => s.end());
    await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
    servicePort = (service.address() as { port: number }).port;
  });
  afterAll(async () => {
    service?.close();
    await influx?.stop();
  });

  const config = (targets: string) => `
server: { listen: "127.0.0.1:0" }
storage: { influx: { url: "${influx.url}", flush_interval: 200ms, timeout: 2s } }
defaults: { interval: 500ms, timeout: 400ms }
${targets}
`;

  describe('with samples flowing (a TCP probe every 500 ms)', () => {
    let kpid: KpidProcess;
    beforeAll(async () => {
      kpid = await startKpid(config(`targets: [ { name: svc, site: lab, address: 127.0.0.1, probes: [ { type: tcp, port: ${servicePort} } ] } ]`));
    });
    afterAll(async () => {
      await kpid?.stop();
      await influx.pause();
    });

    it('never reached: not ready from the first request on, naming InfluxDB; alive all the same', async () => {
      const r = await readyz(kpid);
      expect(r.status).toBe(503);
      expect(r.body).toMatch(/not ready: .*InfluxDB unreachable/);
      expect((await fetch(`${kpid.url}/healthz`)).status).toBe(200);
    });

    it('InfluxDB comes up: ready, and the spooled samples arrive', async () => {
      await influx.start();
      expect((await ready(kpid)).body).toBe('ready\n');
      const rows = await eventually(async () => {
        const r = await influx.rows('SELECT count(success) FROM probe WHERE target = \'svc\'', 'kpid');
        return r.length > 0 && r;
      }, 20_000);
      expect(Number(rows[0]!.count)).toBeGreaterThan(0);
    });

    it('InfluxDB stops: not ready again; it returns: ready again', async () => {
      await influx.pause();
      expect((await notReady(kpid)).body).toMatch(/InfluxDB unreachable/);
      await influx.start();
      expect((await ready(kpid)).status).toBe(200);
    });
  });

  describe('idle: no targets, so nothing to write', () => {
    let kpid: KpidProcess;
    beforeAll(async () => {
      kpid = await startKpid(config('allow_empty_targets: true\ntargets: []'));
    });
    afterAll(async () => {
      await kpid?.stop();
    });

    it('not ready while InfluxDB has never answered; ready once it does, with no write needed', async () => {
      expect(await readyz(kpid)).toEqual({ status: 503, body: 'not ready: InfluxDB unreachable (samples are spooled)\n' });
      await influx.start();
      expect((await ready(kpid)).body).toBe('ready\n');
    });
  });

  describe('an InfluxDB address that accepts connections and never answers', () => {
    let kpid: KpidProcess;
    let silent: Server;
    beforeAll(async () => {
      silent = createServer(() => {}); // holds every connection open, answers nothing
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      const { port } = silent.address() as { port: number };
      kpid = await startKpid(`
server: { listen: "127.0.0.1:0" }
storage: { influx: { url: "http://127.0.0.1:${port}", timeout: 2s } }
allow_empty_targets: true
targets: []
`);
    });
    afterAll(async () => {
      await kpid?.stop();
      silent?.close();
    });

    it('is not ready from the first request on, while the retry is still waiting for its answer', async () => {
      expect(await readyz(kpid)).toEqual({ status: 503, body: 'not ready: InfluxDB unreachable (samples are spooled)\n' });
    });
  });
});
