import { createServer, type IncomingMessage, type Server } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { HttpError } from '../core/http-error.js';
import { refuseCrossSite } from './cross-site.js';
import { matchRoute, send, type Request, type Route } from './router.js';

export interface HttpServerOptions {
  readonly routes: () => readonly Route[];
  /** Current API token; read per request so a reload can change it. */
  readonly apiToken: () => string | undefined;
  readonly log: Logger;
  /** Largest request body accepted, bytes. Default 10 MiB. */
  readonly maxBodyBytes?: number;
}

/**
 * kpid's HTTP server: /metrics, health, and the token-protected /api/v1.
 * Without a configured token the API answers only clients on loopback, so a
 * fresh install is usable locally and never open to the network.
 */
export class HttpServer {
  private server?: Server;
  private exposure?: string;

  constructor(private readonly o: HttpServerOptions) {}

  async listen(host: string, port: number): Promise<AddressInfo> {
    const server = createServer((req, res) => {
      this.handle(req).then(
        (reply) => send(res, reply),
        (err) => {
          const e = err instanceof HttpError ? err : new HttpError(500, 'internal', errorMessage(err));
          if (e.status >= 500) this.o.log.error({ path: this.loggable(req.url ?? '/'), err: e.message }, 'request failed');
          send(res, { status: e.status, body: { error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } } });
        },
      );
    });
    server.keepAliveTimeout = 5_000;
    this.server = server;
    if (!isLoopback(host) && host !== 'localhost' && !this.o.apiToken()) {
      this.exposure = `listening on ${host}, not loopback, with no server.api_token: /metrics is open to the network, `
        + 'and the API answers only loopback clients, so a proxy on this host would open it to everyone; set server.api_token';
      this.o.log.warn({ listen: host }, this.exposure);
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return server.address() as AddressInfo;
  }

  /** What an operator should fix about how the server is exposed (shown by /readyz). */
  warnings(): string[] {
    return this.exposure ? [this.exposure] : [];
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(raw: IncomingMessage) {
    // The path exactly as sent: no URL parsing, which would read `//metrics/x` as host "metrics" and resolve `%2e%2e`.
    const target = raw.url ?? '/';
    const q = target.indexOf('?');
    const path = q < 0 ? target : target.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : target.slice(q + 1));
    const method = raw.method ?? 'GET';
    const found = matchRoute(this.o.routes(), method, path);
    if (!found) throw new HttpError(404, 'not_found', `no such endpoint: ${path.slice(0, 200)}`);
    if ('allowed' in found) {
      throw new HttpError(405, 'method_not_allowed', `${method} is not allowed on ${path}; use ${found.allowed.join(', ')}`);
    }
    refuseCrossSite(raw, method);
    if (found.route.auth) this.authorize(raw);
    let body: Promise<Buffer> | undefined;
    const req: Request = {
      method,
      path,
      query,
      params: found.params,
      raw,
      body: (limit) => (body ??= readBody(raw, limit ?? this.o.maxBodyBytes ?? 10 * 1024 * 1024)),
      json: async () => {
        const text = (await req.body()).toString('utf8');
        try {
          return text.trim() ? JSON.parse(text) : {};
        } catch (err) {
          throw new HttpError(400, 'bad_json', `request body is not valid JSON: ${errorMessage(err)}`);
        }
      },
    };
    return found.route.handler(req);
  }

  /** The request path as logs may show it: a route whose path holds a secret names its logPath instead; the query is never logged. */
  private loggable(target: string): string {
    const q = target.indexOf('?');
    const path = q < 0 ? target : target.slice(0, q);
    for (const route of this.o.routes()) {
      const found = route.logPath !== undefined && matchRoute([route], 'GET', path);
      if (found) return route.logPath!;
    }
    return path.slice(0, 200);
  }

  private authorize(req: IncomingMessage): void {
    const token = this.o.apiToken();
    if (!token) {
      if (!isLoopback(req.socket.remoteAddress)) {
        throw new HttpError(403, 'api_token_not_set',
          'the API is only open to loopback clients until server.api_token is configured');
      }
      // A web page whose name was re-pointed at 127.0.0.1 (DNS rebinding) is "same origin" to the browser
      // on this host, but the Host it sends is still its own name.
      if (!isLoopbackHost(req.headers.host)) {
        throw new HttpError(403, 'host_not_loopback',
          `without server.api_token the API answers only requests addressed to a loopback name (localhost, 127.0.0.1, [::1]), not "${String(req.headers.host).slice(0, 100)}"; set server.api_token`);
      }
      return;
    }
    // RFC 9110 §11.1: the auth scheme is case-insensitive ("bearer", "BEARER").
    const given = /^bearer +(.*)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      throw new HttpError(401, 'unauthorized', 'missing or wrong bearer token (Authorization: Bearer <server.api_token>)');
    }
  }
}

/**
 * Whether the Host header names this machine: a loopback name or address, or the
 * unspecified address a client may dial (`0.0.0.0`, `[::]`). No Host at all (HTTP/1.0) counts.
 */
function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return true;
  const name = (host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d*$/, '')).toLowerCase();
  return name === 'localhost' || name.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(name) || isLoopback(name)
    || name === '0.0.0.0' || name === '::';
}

function isLoopback(addr: string | undefined): boolean {
  return !!addr && (addr.startsWith('127.') || addr === '::1' || addr.startsWith('::ffff:127.'));
}

/**
 * Reads a body of at most `limit` bytes. A larger one is refused with 413
 * before reading when Content-Length says so, or as soon as it passes the
 * limit; the rest is discarded rather than the connection reset, so the
 * client reads the 413 and its JSON body instead of ECONNRESET.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () => new HttpError(413, 'body_too_large', `request body is larger than ${limit} bytes`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      if (size > limit) return;
      size += c.length;
      if (size > limit) {
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
