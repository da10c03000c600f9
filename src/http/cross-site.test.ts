import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../core/http-error.js';
import { refuseCrossSite } from './cross-site.js';

const HOST = '127.0.0.1:9464';
const request = (headers: Record<string, string>) => ({ headers: { host: HOST, ...headers } }) as unknown as IncomingMessage;
const verdict = (method: string, headers: Record<string, string>) => {
  try {
    refuseCrossSite(request(headers), method);
    return 'allowed';
  } catch (err) {
    return err instanceof HttpError ? `${err.status} ${err.code}` : 'threw';
  }
};

describe('a browser request from another site cannot change kpid\'s state', () => {
  it.each([
    ['POST', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }],
    ['POST', { 'sec-fetch-site': 'same-site', origin: 'http://127.0.0.1:8080' }],
    ['DELETE', { 'sec-fetch-site': 'cross-site' }],
    // A browser without Sec-Fetch-Site still sends Origin with a cross-origin POST.
    ['POST', { origin: 'https://evil.example' }],
    ['POST', { origin: 'http://127.0.0.1:8080' }],
    // A sandboxed frame or a file: page.
    ['POST', { origin: 'null' }],
    // Sec-Fetch-Site wins over an Origin that happens to match.
    ['POST', { 'sec-fetch-site': 'cross-site', origin: `http://${HOST}` }],
  ])('%s with %j is refused with 403', (method, headers) => {
    expect(verdict(method, headers)).toBe('403 cross_site_refused');
  });

  it.each([
    ['POST', { 'sec-fetch-site': 'same-origin', origin: `http://${HOST}` }],
    // Behind a proxy that rewrites Host, the browser's own word still counts.
    ['POST', { 'sec-fetch-site': 'same-origin', origin: 'https://kpid.noc.example.net' }],
    ['POST', { origin: `http://${HOST}` }],
    // curl, scripts, other daemons: no browser headers at all.
    ['POST', {}],
    ['DELETE', {}],
    // Reading is never refused here (the API's token rule decides).
    ['GET', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }],
    ['HEAD', { 'sec-fetch-site': 'cross-site' }],
  ])('%s with %j is allowed', (method, headers) => {
    expect(verdict(method, headers)).toBe('allowed');
  });
});
