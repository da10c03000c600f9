import type { SmsGatewayOptions } from '../notify-options.js';
import type { Channel, RenderedMessage } from '../delivery.js';
import { httpDeliver } from './http-post.js';

/**
 * SMS through an operator's or vendor's HTTP gateway: method, URL, headers
 * and a body template with {{to}}, {{text}} and {{from}}.
 */
export class SmsGatewayChannel implements Channel {
  readonly type = 'sms';

  constructor(readonly name: string, private readonly cfg: SmsGatewayOptions, readonly recipients: readonly string[]) {}

  async send(message: RenderedMessage, recipient: string): Promise<void> {
    const req = gatewayRequest(this.cfg, recipient, message.sms);
    await httpDeliver(this.name, req, Object.values(this.cfg.headers));
  }

  async close(): Promise<void> {}
}

export function gatewayRequest(cfg: SmsGatewayOptions, to: string, text: string) {
  const contentType = Object.entries(cfg.headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
  const json = /json/i.test(contentType);
  const form = /x-www-form-urlencoded/i.test(contentType);
  // Values are escaped for where they land, so a quote in an alert cannot break the gateway's JSON.
  const inBody = (v: string) => (json ? JSON.stringify(v).slice(1, -1) : form ? encodeURIComponent(v) : v);
  const vars = { to, text, from: 'kpid' };
  const fill = (tpl: string, esc: (v: string) => string) =>
    tpl.replace(/\{\{\s*(to|text|from)\s*\}\}/g, (_, k: keyof typeof vars) => esc(vars[k]));
  return {
    method: cfg.method,
    url: fill(cfg.url, encodeURIComponent),
    headers: cfg.headers,
    body: cfg.body !== undefined ? fill(cfg.body, inBody) : undefined,
    timeout: cfg.timeout,
  };
}
