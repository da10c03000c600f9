import type { IncomingMessage } from 'node:http';
import { HttpError } from '../core/http-error.js';

/** Methods that only read; every other one may change kpid's state. */
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses a state-changing request that a browser sent on behalf of another
 * site (CSRF). Without server.api_token the API trusts every loopback
 * client, and a browser on the kpid host is one: a page from anywhere could
 * make it POST an ack, a silence or a reload (an empty or text/plain form
 * body parses as JSON). Browsers say where a request comes from:
 * Sec-Fetch-Site (Chromium, Firefox, Safari 16.4+), else Origin. Scripts
 * and curl send neither and are not affected; kpid's own page is same-origin.
 */
export function refuseCrossSite(req: IncomingMessage, method: string): void {
  if (SAFE.has(method)) return;
  const site = header(req, 'sec-fetch-site');
  if (site !== undefined) {
    if (site === 'same-origin' || site === 'none') return;
    throw refused(`Sec-Fetch-Site: ${site.slice(0, 40)}`);
  }
  const origin = header(req, 'origin');
  if (origin === undefined) return;
  if (hostOf(origin) !== undefined && hostOf(origin) === header(req, 'host')?.toLowerCase()) return;
  throw refused(`Origin: ${origin.slice(0, 100)}`);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return undefined; // "null" (a sandboxed frame, a file: page) is no origin at all
  }
}

function refused(seen: string): HttpError {
  return new HttpError(403, 'cross_site_refused',
    `a browser request from another site may not change kpid's state (${seen}); use kpid's own page, or the API from a script`);
}
