import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { ChannelOptions } from '../notify-options.js';
import type { NotifyMetrics } from '../../metrics/notify-metrics.js';
import type { Channel } from '../delivery.js';
import { EmailChannel } from './email.js';
import { SmsGatewayChannel } from './sms-http.js';
import { SmppChannel } from './sms-smpp.js';
import { WebhookChannel } from './webhook.js';

/** One Channel per entry of notify.channels. SMPP channels bind on start(), not here. */
export function buildChannels(channels: Readonly<Record<string, ChannelOptions>>, clock: Clock, logger: Logger, metrics: NotifyMetrics): Map<string, Channel> {
  const out = new Map<string, Channel>();
  for (const [name, c] of Object.entries(channels)) {
    if (c.email) out.set(name, new EmailChannel(name, c.email));
    else if (c.webhook) out.set(name, new WebhookChannel(name, c.webhook));
    else if (c.sms?.smpp) {
      out.set(name, new SmppChannel(name, c.sms.smpp, c.sms.to, clock, logger, (r) => {
        metrics.smsReceipts.inc({ channel: name, stat: r.stat });
        logger.info({ channel: name, message_id: r.messageId, stat: r.stat }, 'SMS delivery receipt');
      }));
    } else if (c.sms?.http) out.set(name, new SmsGatewayChannel(name, c.sms.http, c.sms.to));
  }
  return out;
}
