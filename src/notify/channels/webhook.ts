import type { WebhookOptions } from '../notify-options.js';
import type { Channel, RenderedMessage } from '../delivery.js';
import { httpDeliver } from './http-post.js';

/** A JSON POST in Alertmanager's webhook format, so existing receivers work. */
export class WebhookChannel implements Channel {
  readonly type = 'webhook';
  readonly recipients: readonly string[];

  constructor(readonly name: string, private readonly cfg: WebhookOptions) {
    this.recipients = [cfg.url];
  }

  async send(message: RenderedMessage, recipient: string): Promise<void> {
    await httpDeliver(
      this.name,
      {
        method: 'POST',
        url: recipient,
        headers: { 'content-type': 'application/json', 'user-agent': 'kpid', ...this.cfg.headers },
        body: JSON.stringify(message.webhook),
        timeout: this.cfg.timeout,
      },
      Object.values(this.cfg.headers),
    );
  }

  async close(): Promise<void> {}
}
