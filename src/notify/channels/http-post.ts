import { errorMessage } from '../../core/errors.js';
import { DeliveryError } from '../delivery.js';
import { redact } from './redact.js';

export interface HttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeout: number;
}

/**
 * One HTTP request for a channel. A 2xx is accepted. 408, 429 and 5xx are
 * the server's "not now" and are retried, as are network failures; any other
 * 4xx means the request itself is wrong, and resending it cannot help.
 */
export async function httpDeliver(channel: string, req: HttpRequest, secrets: readonly string[]): Promise<void> {
  let res: Response;
  try {
    res = await fetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.method === 'GET' ? undefined : req.body,
      signal: AbortSignal.timeout(req.timeout),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new DeliveryError(channel, true, redact(`HTTP ${req.method} ${safeUrl(req.url)}: ${errorMessage(err)}`, secrets), { reason: cause });
  }
  const body = await res.text().catch(() => '');
  if (res.ok) return;
  const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
  throw new DeliveryError(
    channel,
    retryable,
    redact(`HTTP ${req.method} ${safeUrl(req.url)} answered ${res.status}: ${body.slice(0, 200)}`, secrets),
    { http_status: res.status },
  );
}

/** The URL without credentials or query (which may carry a gateway key). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(bad url)';
  }
}
