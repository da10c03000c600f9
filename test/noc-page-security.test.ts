import { request } from 'node:http';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startKpid, type KpidProcess } from './helpers/kpid-process.js';
import { createTestHost, statusFromHost, type TestHost } from './helpers/netns.js';

const TOKEN = 'noc-page-token-0123456789';
const RULES = resolve(import.meta.dirname, '../alert-rules/*.yaml');
/** Everything the page reads; each follows the API's rule. */
const DATA = ['/api/v1/alerts', '/api/v1/outages', '/api/v1/kpis', '/api/v1/silences', '/api/v1/cluster'];

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: string }

/** A request with exactly these headers (fetch would add its own and refuse some). */
function send(url: string, method: string, path: string, headers: Record<string, string> = {}, body = ''): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((done, fail) => {
    const req = request({ host: hostname, port, method, path, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d)).on('end', () => done({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

/** What a page on another site makes the operator's browser send when it auto-submits a form at kpid. */
const FORM_FROM_EVIL = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'content-type': 'application/x-www-form-urlencoded' };

describe('the status page: who may read it, its headers, and cross-site requests', () => {
  let host: TestHost;
  let hostSide: string;
  /** HTTP status of a GET from inside the namespace: a client on another host. */
  const fromNamespace = (port: number, path: string, token?: string) => statusFromHost(host, `http://${hostSide}:${port}${path}`, token);
  const port = (kpid: KpidProcess) => Number(new URL(kpid.url).port);

  beforeAll(() => {
    host = createTestHost('kpt-noc', 81);
    hostSide = host.address.replace(/\.2$/, '.1');
  });
  afterAll(() => host?.remove());

  describe('no api_token, listening on every address', () => {
    let kpid: KpidProcess;
    let alertId: string;
    const alerts = async () => JSON.parse((await send(kpid.url, 'GET', '/api/v1/alerts')).body) as { alerts: Array<{ id: string; acknowledged: unknown }> };

    beforeAll(async () => {
      kpid = await startKpid(`server: { listen: "0.0.0.0:0" }\nrules: [ "${RULES}" ]\nallow_empty_targets: true\ntargets: []\n`);
      // A firing alert to aim at: network coverage below target, pushed as a script would (no browser headers).
      const pushed = await send(`http://127.0.0.1:${port(kpid)}`, 'POST', '/api/v1/ingest', { 'content-type': 'application/json' },
        JSON.stringify([{ measurement: 'kpi', tags: { kpi: 'network_coverage', scope: 'north' }, fields: { value: 0.95 } }]));
      expect(pushed.status).toBe(200);
      alertId = (await eventually(async () => (await alerts()).alerts[0], 10_000)).id;
    });
    afterAll(async () => {
      await kpid?.stop();
    });

    it('loopback reads the page and every figure it shows', async () => {
      const page = await send(kpid.url, 'GET', '/');
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      for (const path of DATA) expect((await send(kpid.url, 'GET', path)).status, path).toBe(200);
    });

    it('GET /api/v1/kpis gives each KPI value with its name, unit, catalogue target and compliance (the page\'s KPI table)', async () => {
      const { kpis } = JSON.parse((await send(kpid.url, 'GET', '/api/v1/kpis')).body) as { kpis: unknown[] };
      expect(kpis).toContainEqual({ kpi: 'network_coverage', name: 'network coverage', scope: 'north', value: 0.95, unit: 'ratio', target: '>= 99%', compliant: false });
    });

    it('another host gets the empty frame but none of the data (403 until a token is set)', () => {
      expect(fromNamespace(port(kpid), '/')).toBe(200);
      for (const path of DATA) expect(fromNamespace(port(kpid), path), path).toBe(403);
    });

    it('the page, its script and its style carry a strict CSP, nosniff and no framing', async () => {
      for (const path of ['/', '/?wall=1', '/page/noc.js', '/page/noc-draw.js', '/page/noc-actions.js', '/page/noc.css']) {
        const r = await send(kpid.url, 'GET', path);
        expect(r.status, path).toBe(200);
        const csp = String(r.headers['content-security-policy']);
        expect(csp, path).toMatch(/(^|; )default-src 'none'(;|$)/);
        expect(csp, path).toMatch(/(^|; )script-src 'self'(;|$)/);
        expect(csp, path).toMatch(/(^|; )frame-ancestors 'none'(;|$)/);
        expect(csp, path).not.toMatch(/unsafe-inline|unsafe-eval/);
        expect(r.headers['x-content-type-options'], path).toBe('nosniff');
        expect(r.headers['x-frame-options'], path).toBe('DENY');
      }
      expect((await send(kpid.url, 'GET', '/page/noc.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect((await send(kpid.url, 'GET', '/page/noc.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    });

    it('the HTML has no inline script, no inline style and no data: the scripts are files of their own', async () => {
      const html = (await send(kpid.url, 'GET', '/')).body;
      const scripts = html.match(/<script\b[^>]*>[\s\S]*?<\/script>/g) ?? [];
      expect(scripts).toEqual(['noc.js', 'noc-draw.js', 'noc-actions.js'].map((f) => `<script src="/page/${f}" defer></script>`));
      expect(html).not.toMatch(/\son[a-z]+=|\sstyle=/i);
      expect(html).not.toContain('north');
      // The wall has no controls: no ack or silence dialog (only the token form, shown when the API asks).
      expect((await send(kpid.url, 'GET', '/?wall=1')).body).not.toMatch(/<dialog|id="silences"/);
    });

    it.each([
      ['an auto-submitted form with no fields', FORM_FROM_EVIL, ''],
      ['a form with fields', FORM_FROM_EVIL, 'by=mallory&comment=x'],
      ['a text/plain form whose body is JSON', { ...FORM_FROM_EVIL, 'content-type': 'text/plain' }, '{"by":"mallory","x":"="}'],
      ['an older browser that sends only Origin', { origin: 'https://evil.example', 'content-type': 'text/plain' }, '{"by":"mallory"}'],
      ['another port on this host (same site, not same origin)', { origin: 'http://127.0.0.1:8080', 'sec-fetch-site': 'same-site', 'content-type': 'application/json' }, '{"by":"mallory"}'],
    ])('a cross-site ack from the operator\'s browser on loopback is refused: %s', async (_what, headers, body) => {
      const r = await send(kpid.url, 'POST', `/api/v1/alerts/${encodeURIComponent(alertId)}/ack`, headers, body);
      expect(r.status).toBe(403);
      expect(JSON.parse(r.body).error.code).toBe('cross_site_refused');
      expect((await alerts()).alerts.find((a) => a.id === alertId)?.acknowledged).toBeNull();
    });

    it('a cross-site silence, reload or ingest is refused too, and nothing was stored', async () => {
      const silence = JSON.stringify({ matchers: { alertname: 'NetworkCoverageLow' }, duration: '1h' });
      expect((await send(kpid.url, 'POST', '/api/v1/silences', { ...FORM_FROM_EVIL, 'content-type': 'text/plain' }, silence)).status).toBe(403);
      expect((await send(kpid.url, 'POST', '/api/v1/reload', FORM_FROM_EVIL)).status).toBe(403);
      expect((await send(kpid.url, 'POST', '/api/v1/ingest', { ...FORM_FROM_EVIL, 'content-type': 'text/plain' }, 'kpi,kpi=network_coverage,scope=north value=1')).status).toBe(403);
      expect(JSON.parse((await send(kpid.url, 'GET', '/api/v1/silences')).body).silences).toEqual([]);
      expect(kpid.logs.some((l) => /config reload/.test(String(l.msg)))).toBe(false);
    });

    it('a page whose name was re-pointed at 127.0.0.1 (DNS rebinding) reads and acks nothing, though its browser calls it same-origin', async () => {
      const rebound = `rebind.evil.example:${port(kpid)}`;
      const asRebound = { host: rebound, origin: `http://${rebound}`, 'sec-fetch-site': 'same-origin' };
      const read = await send(kpid.url, 'GET', '/api/v1/alerts', asRebound);
      expect(read.status).toBe(403);
      expect(JSON.parse(read.body).error.code).toBe('host_not_loopback');
      const ack = await send(kpid.url, 'POST', `/api/v1/alerts/${encodeURIComponent(alertId)}/ack`, { ...asRebound, 'content-type': 'application/json' }, '{"by":"mallory"}');
      expect(ack.status).toBe(403);
      expect((await alerts()).alerts.find((a) => a.id === alertId)?.acknowledged).toBeNull();
      // Loopback names still read.
      for (const host of [`localhost:${port(kpid)}`, `127.0.0.1:${port(kpid)}`, `[::1]:${port(kpid)}`]) {
        expect((await send(kpid.url, 'GET', '/api/v1/alerts', { host })).status, host).toBe(200);
      }
    });

    it('the page itself (same origin) acks', async () => {
      const r = await send(kpid.url, 'POST', `/api/v1/alerts/${encodeURIComponent(alertId)}/ack`,
        { origin: kpid.url, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' }, '{"by":"alice","comment":"on it"}');
      expect(r.status).toBe(200);
      expect((await alerts()).alerts.find((a) => a.id === alertId)?.acknowledged).toMatchObject({ by: 'alice' });
    });
  });

  describe('with an api_token', () => {
    let kpid: KpidProcess;
    beforeAll(async () => {
      kpid = await startKpid('server: { listen: "0.0.0.0:0", api_token: "${KPID_API_TOKEN}" }\nallow_empty_targets: true\ntargets: []\n', { KPID_API_TOKEN: TOKEN });
    });
    afterAll(async () => {
      await kpid?.stop();
    });

    it('another host gets 401 for every figure without the token and 200 with it', () => {
      for (const path of DATA) {
        expect(fromNamespace(port(kpid), path), path).toBe(401);
        expect(fromNamespace(port(kpid), path, TOKEN), path).toBe(200);
      }
      // The frame holds no data: it loads, then asks for the token.
      expect(fromNamespace(port(kpid), '/')).toBe(200);
    });

    it('loopback needs the token as well', async () => {
      for (const path of DATA) expect((await send(kpid.url, 'GET', path)).status, path).toBe(401);
      expect((await send(kpid.url, 'GET', '/api/v1/kpis', { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    });
  });
});
