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
  write(lines: readonly string[], signal?: AbortSignal): Promise<WriteResult>;
}

export interface InfluxHttpOptions extends InfluxConnection {
  /** Written to explicitly; undefined means the database's default policy. */
  readonly retentionPolicy?: string;
  /** Time one write may take before it counts as unavailable, ms. Default 10,000. */
  readonly timeoutMs?: number;
}

/**
 * POST /write with `fetch` (keep-alive). The `influx` package's own writer is
 * not used for the data path: its pool hides the body of a 5xx, retries on
 * its own timers and disables hosts, while the store needs the 4xx body to
 * count dropped points and decides itself when to retry (with its Clock).
 */
export class InfluxHttpWriter implements LineWriter {
  private readonly endpoint: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(options: InfluxHttpOptions) {
    const url = new URL('/write', options.url);
    url.searchParams.set('db', options.database);
    url.searchParams.set('precision', 'ms');
    if (options.retentionPolicy) url.searchParams.set('rp', options.retentionPolicy);
    this.endpoint = url.toString();
    this.headers = { 'content-type': 'text/plain; charset=utf-8' };
    if (options.username !== undefined) {
      const token = Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64');
      this.headers.authorization = `Basic ${token}`;
    }
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async write(lines: readonly string[], signal?: AbortSignal): Promise<WriteResult> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    let res: Response;
    try {
      res = await fetch(this.endpoint, {
        method: 'POST',
        headers: this.headers,
        body: lines.join('\n'),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (err) {
      return { kind: 'unavailable', message: describeFetchError(err) };
    }
    const body = res.status === 204 ? '' : await res.text().catch(() => '');
    return classify(res.status, body);
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

function describeFetchError(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
    if (err.name === 'TimeoutError') return 'write timed out';
    if (err.name === 'AbortError') return 'write aborted';
    return cause?.code ?? cause?.message ?? err.message;
  }
  return String(err);
}
