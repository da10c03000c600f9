import { request } from 'node:http';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKpid, type KpidProcess } from './helpers/kpid-process.js';

const TOKEN = 'hardening-token-0123456789';

/** A request with the path sent byte for byte (fetch would resolve `%2e%2e` and `//` itself). */
function rawRequest(url: string, method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('kpid HTTP server against hostile clients (a real daemon)', () => {
  let kpid: KpidProcess;
  const auth = { authorization: `Bearer ${TOKEN}` };

  beforeAll(async () => {
    kpid = await startKpid(`server: { listen: "127.0.0.1:0", api_token: "\${KPID_API_TOKEN}" }
ingest: { max_body_bytes: 65536, max_measurements: 2 }
allow_empty_targets: true
`, { KPID_API_TOKEN: TOKEN });
  });
  afterAll(() => kpid?.stop());

  it.each([
    ['GET', '//metrics/api/v1/alerts'],
    ['GET', '/api/v1//alerts'],
    ['GET', '/api/v1/alerts/'],
    ['GET', '/api/v1/./alerts'],
    ['POST', '/api/v1/ingest/%2e%2e/reload'],
    ['POST', '/api/v1/ingest/../reload'],
    ['GET', '/%6detrics'],
  ])('%s %s is 404: paths match exactly, never normalised', async (method, path) => {
    const r = await rawRequest(kpid.url, method, path, auth);
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body).error.code).toBe('not_found');
    expect(kpid.logs.some((l) => /config reload/.test(String(l.msg)))).toBe(false);
  });

  it('the exact paths still answer', async () => {
    expect((await rawRequest(kpid.url, 'GET', '/api/v1/alerts', auth)).status).toBe(200);
    expect((await rawRequest(kpid.url, 'GET', '/metrics?x=1')).status).toBe(200);
  });

  it.each(['Bearer', 'bearer', 'BEARER', 'bEaReR'])('the "%s" scheme is accepted (case-insensitive); a wrong token is still 401', async (scheme) => {
    expect((await fetch(`${kpid.url}/api/v1/alerts`, { headers: { authorization: `${scheme} ${TOKEN}` } })).status).toBe(200);
    expect((await fetch(`${kpid.url}/api/v1/alerts`, { headers: { authorization: `${scheme} ${TOKEN}x` } })).status).toBe(401);
  });

  it('a body over the limit gets 413 with a JSON reason, with Content-Length or streamed, and kpid keeps serving', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024, 'a');
    const declared = await fetch(`${kpid.url}/api/v1/ingest`, { method: 'POST', headers: auth, body: big });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({ error: { code: 'body_too_large', message: 'request body is larger than 65536 bytes' } });

    const chunks = Array.from({ length: 80 }, () => Buffer.alloc(64 * 1024, 'b'));
    const streamed = await fetch(`${kpid.url}/api/v1/ingest`, {
      method: 'POST', headers: auth, body: Readable.toWeb(Readable.from(chunks)) as ReadableStream, duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(((await streamed.json()) as { error: { code: string } }).error.code).toBe('body_too_large');
    expect((await fetch(`${kpid.url}/healthz`)).status).toBe(200);
  });

  it('a push past max_measurements gets 429 naming the limit, and kpid_ingest_refused_total counts it', async () => {
    const push = (body: string) => fetch(`${kpid.url}/api/v1/ingest?precision=ms`, { method: 'POST', headers: auth, body });
    const first = await push('m1 v=1\nm2 v=1\nm3 v=1\n');
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ accepted: 2, rejected: [{ line: 3, limit: 'ingest.max_measurements' }] });
    const second = await push('m4 v=1\nm5 v=1\n');
    expect(second.status).toBe(429);
    expect(await second.json()).toMatchObject({
      accepted: 0,
      error: { code: 'cardinality_limit', limit: 'ingest.max_measurements', message: expect.stringMatching(/"m4" would be one more/) },
    });
    expect((await push('m1 v=2\n')).status).toBe(200);
    const metrics = await kpid.metrics();
    expect(metrics).toContain('kpid_ingest_refused_total{limit="max_measurements"} 3');
    expect(metrics).toContain('kpid_ingest_series 2');
  });
});

describe('binding a non-loopback address without a token', () => {
  it('is warned at start and in /readyz; a loopback bind is not', async () => {
    const open = await startKpid('server: { listen: "0.0.0.0:0" }\nallow_empty_targets: true\n');
    try {
      const warning = await open.waitForLog((l) => l.level === 40 || l.level === 'warn');
      expect(String(warning.msg)).toMatch(/listening on 0\.0\.0\.0, not loopback, with no server\.api_token/);
      const ready = await fetch(`${open.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.text()).toMatch(/^ready\nwarning: listening on 0\.0\.0\.0, not loopback, with no server\.api_token.*set server\.api_token\n$/);
    } finally {
      await open.stop();
    }
    const local = await startKpid('server: { listen: "127.0.0.1:0" }\nallow_empty_targets: true\n');
    try {
      expect(await (await fetch(`${local.url}/readyz`)).text()).toBe('ready\n');
      expect(local.logs.some((l) => /not loopback/.test(String(l.msg)))).toBe(false);
    } finally {
      await local.stop();
    }
  });
});
