import { createHash } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { SmppOptions } from '../notify-options.js';
import type { Channel, RenderedMessage } from '../delivery.js';
import { SmppLink, type DeliveryReceipt } from './smpp-link.js';
import { splitSms } from './sms-parts.js';

/** SMS over SMPP 3.4 to an SMSC; a long message goes as UDH-concatenated parts. */
export class SmppChannel implements Channel {
  readonly type = 'sms';
  readonly link: SmppLink;
  /** Receipts seen, newest last (bounded); the link reports each to `onReceipt` too. */
  readonly receipts: DeliveryReceipt[] = [];

  constructor(
    readonly name: string,
    private readonly cfg: SmppOptions,
    readonly recipients: readonly string[],
    clock: Clock,
    logger: Logger,
    onReceipt: (r: DeliveryReceipt) => void = () => {},
  ) {
    this.link = new SmppLink(name, cfg, clock, logger, (r) => {
      this.receipts.push(r);
      if (this.receipts.length > 1_000) this.receipts.shift();
      onReceipt(r);
    });
  }

  async send(message: RenderedMessage, recipient: string): Promise<void> {
    const ref = createHash('sha1').update(message.sms + recipient).digest()[0]!;
    const { dataCoding, parts } = splitSms(message.sms, ref);
    const alpha = /[A-Za-z]/.test(this.cfg.sourceAddr);
    for (const part of parts) {
      await this.link.submit({
        source_addr: this.cfg.sourceAddr,
        source_addr_ton: alpha ? 0x05 : 0x01,
        source_addr_npi: alpha ? 0x00 : 0x01,
        destination_addr: recipient.replace(/^\+/, ''),
        dest_addr_ton: 0x01, // international: the number is E.164 without its plus
        dest_addr_npi: 0x01,
        esm_class: part.udh ? 0x40 : 0x00,
        data_coding: dataCoding,
        registered_delivery: this.cfg.bind === 'transceiver' ? 0x01 : 0x00,
        short_message: part.udh ? { udh: part.udh, message: part.text } : part.text,
      });
    }
  }

  async close(): Promise<void> {
    await this.link.close();
  }
}
