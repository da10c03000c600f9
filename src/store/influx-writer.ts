import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Batch } from './batch.js';
import type { InfluxConnection } from '../core/influx-connection.js';

/**
 * What InfluxDB 1.x did with one POST /write.
 *
 * - `written`: every point is stored.
 * - `partial`: a 400 "partial write": InfluxDB stored the good points and
 *   dropped `dropped` bad ones (field type conflict, beyond retention, a line
 *   that does not parse).
 * - `rejected`: another 4xx; nothing was stored and the batch holds a bad point.
 * - `unavailable`: unreachable, timed out, 5xx, or a 401/403/404 that a
 *   person or a restart must fix: the batch is kept (spooled), never dropped.
 */
export type WriteResult =
  | { readonly kind: 'written' }
  | { readonly kind: 'partial'; readonly dropped: number; readonly message: string }
  | { readonly kind: 'rejected'; readonly status: number; readonly message: string }
  | { readonly kind: 'unavailable'; readonly status?: number; readonly message: string };

/** Sends one batch of line-protocol lines (precision ms). */
export interface LineWriter {
  write(batch: Batch, signal?: AbortSignal): Promise<WriteResult>;
}

export interface InfluxHttpOptions extends InfluxConnection {
  /** Written to explicitly; undefined means the database's default policy. */
  readonly retentionPolicy?: string;
  /** Time one write may take before it counts as unavailable, ms. Default 10,000. */
  readonly timeoutMs?: number;
}

/**
 * POST /write over a keep-alive node:http agent. The `influx` package's own
 * writer is not used for the data path: its pool hides the body of a 5xx,
 * retries on its own timers and disables hosts, while the store needs the
 * 4xx body to count dropped points and decides itself when to retry (with
 * its Clock). Nor is `fetch`: it copies a body through web streams and
 * took 2-4 times as long per 1 MB batch as a plain request.
 */
export class InfluxHttpWriter implements LineWriter {
  private readonly endpoint: URL;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;

  constructor(options: InfluxHttpOptions) {
    const url = new URL('/write', options.url);
    url.searchParams.set('db', options.database);
    url.searchParams.set('precision', 'ms');
    if (options.retentionPolicy) url.searchParams.set('rp', options.retentionPolicy);
    this.endpoint = url;
    this.headers = { 'content-type': 'text/plain; charset=utf-8' };
    if (options.username !== undefined) {
      const token = Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64');
      this.headers.authorization = `Basic ${token}`;
    }
    this.timeoutMs = options.timeoutMs ?? 10_000;
    const https = url.protocol === 'https:';
    this.agent = https ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    this.send = https ? httpsRequest : httpRequest;
  }

  write(batch: Batch, signal?: AbortSignal): Promise<WriteResult> {
    return new Promise((resolve) => {
      let settled = false;
      const done = (result: WriteResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(result);
      };
      const req = this.send(this.endpoint, {
        method: 'POST', agent: this.agent,
        headers: { ...this.headers, 'content-length': String(batch.body.length) },
      }, (res) => {
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(classify(status, Buffer.concat(chunks).toString('utf8'))));
        res.on('error', (err) => done({ kind: 'unavailable', message: describeError(err) }));
      });
      const fail = (message: string) => {
        req.destroy();
        done({ kind: 'unavailable', message });
      };
      const timer = setTimeout(() => fail('write timed out'), this.timeoutMs);
      timer.unref();
      const onAbort = () => fail('write aborted');
      if (signal?.aborted) return fail('write aborted');
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', (err) => done({ kind: 'unavailable', message: describeError(err) }));
      req.end(batch.body);
    });
  }
}

/** Maps an InfluxDB 1.x /write answer to what the store does with the batch. */
export function classify(status: number, body: string): WriteResult {
  if (status >= 200 && status < 300) return { kind: 'written' };
  const message = errorText(body) || `HTTP ${status}`;
  if (status === 400 && message.includes('partial write')) {
    return { kind: 'partial', dropped: droppedCount(message), message };
  }
  if (status >= 500 || status === 401 || status === 403 || status === 404 || status === 408 || status === 429) {
    return { kind: 'unavailable', status, message };
  }
  if (status >= 400) return { kind: 'rejected', status, message };
  return { kind: 'unavailable', status, message };
}

/**
 * "... dropped=3" counts points InfluxDB refused after parsing them (type
 * conflict, beyond retention); lines that did not parse are listed one
 * "unable to parse" each and are not in that count (InfluxDB 1.6 says dropped=0).
 */
export function droppedCount(message: string): number {
  const m = /dropped=(\d+)/.exec(message);
  const refused = m ? Number(m[1]) : 0;
  const unparsable = message.split('unable to parse').length - 1;
  return Math.max(1, refused + unparsable);
}

function errorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // not JSON: a proxy's page, keep it short
  }
  return body.slice(0, 500);
}

function describeError(err: unknown): string {
  if (err instanceof Error) return (err as Error & { code?: string }).code ?? err.message;
  return String(err);
}
