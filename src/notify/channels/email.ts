import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import { errorMessage } from '../../core/errors.js';
import type { EmailOptions } from '../notify-options.js';
import { DeliveryError, type Channel, type RenderedMessage } from '../delivery.js';
import { redact } from './redact.js';

/**
 * Email over SMTP through nodemailer's pooled transport: connections are kept
 * and reused, so an alert does not pay a TCP + TLS + AUTH handshake.
 */
export class EmailChannel implements Channel {
  readonly type = 'email';
  readonly recipients: readonly string[];
  private readonly transport: Transporter;

  constructor(readonly name: string, private readonly cfg: EmailOptions) {
    this.recipients = cfg.to;
    const s = cfg.smtp;
    const options: SMTPPool.Options = {
      pool: true,
      host: s.host,
      port: s.port,
      secure: s.secure,
      requireTLS: !s.secure && s.starttls === 'required',
      ignoreTLS: !s.secure && s.starttls === 'off',
      auth: s.auth ? { user: s.auth.user, pass: s.auth.password } : undefined,
      maxConnections: s.maxConnections,
      connectionTimeout: s.timeout,
      greetingTimeout: s.timeout,
      socketTimeout: s.timeout,
      tls: { rejectUnauthorized: s.tlsVerify },
      logger: false,
    };
    this.transport = nodemailer.createTransport(options);
    // A pooled transport reports idle-connection failures as events; the next send reconnects.
    this.transport.on('error', () => {});
  }

  async send(message: RenderedMessage, recipient: string): Promise<void> {
    try {
      await this.transport.sendMail({
        from: this.cfg.from,
        to: recipient,
        subject: message.subject,
        text: message.text,
        html: message.html,
        headers: { 'X-Kpid-Channel': this.name },
      });
    } catch (err) {
      throw classifySmtpError(this.name, err, [this.cfg.smtp.auth?.password]);
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

/**
 * RFC 5321 §4.2.1: 5yz replies are permanent (retrying sends nothing), 4yz are
 * transient. Anything without a reply code (refused, reset, timeout, TLS) is
 * a connection problem and worth retrying.
 */
export function classifySmtpError(channel: string, err: unknown, secrets: readonly (string | undefined)[]): DeliveryError {
  const e = err as { responseCode?: number; code?: string };
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const retryable = code === undefined || code < 500;
  return new DeliveryError(channel, retryable, redact(`SMTP: ${errorMessage(err)}`, secrets), {
    smtp_code: code ?? 0,
    reason: e.code ?? 'unknown',
  });
}
