import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../core/logger.js';
import type { Route } from '../core/route.js';
import { HttpServer } from './server.js';

const CODE = 'EGsQ2MhDxoB8f5qgLsndqnM6eDncdS4';

/** A server whose routes all fail, with its log lines captured as an operator would read them. */
async function failingServer(routes: Route[]) {
  const lines: string[] = [];
  const out = new Writable({ write: (chunk, _enc, done) => { lines.push(String(chunk)); done(); } });
  const server = new HttpServer({ routes: () => routes, apiToken: () => undefined, log: createLogger('json', 'info', out) });
  const addr = await server.listen('127.0.0.1', 0);
  return { server, lines, url: `http://127.0.0.1:${addr.port}` };
}

const boom = () => {
  throw new Error('store unreachable');
};

describe("kpid's request log never holds a secret that is in a path", () => {
  let server: HttpServer | undefined;
  afterEach(async () => server?.close());

  it('a failed request on /a/<code> logs /a/<redacted>, never the code; other paths are logged as they are', async () => {
    const s = await failingServer([
      { method: 'POST', path: '/a/:code', auth: false, logPath: '/a/<redacted>', handler: boom },
      { method: 'GET', path: '/api/v1/things/:id', auth: false, handler: boom },
    ]);
    server = s.server;
    expect((await fetch(`${s.url}/a/${CODE}?x=1`, { method: 'POST' })).status).toBe(500);
    expect((await fetch(`${s.url}/api/v1/things/t-1`)).status).toBe(500);
    const failed = s.lines.map((l) => JSON.parse(l) as { msg: string; path: string }).filter((l) => l.msg === 'request failed');
    expect(failed.map((l) => l.path)).toEqual(['/a/<redacted>', '/api/v1/things/t-1']);
    expect(s.lines.join('')).not.toContain(CODE.slice(0, 8));
  });
});
