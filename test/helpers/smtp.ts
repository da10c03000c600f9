import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface ReceivedMail {
  readonly from: string;
  readonly to: string[];
  readonly raw: string;
  readonly at: number;
}

/**
 * A real SMTP server (smtp-server) on a free loopback port. `refuse(code)`
 * makes it answer every DATA with that reply until `accept()`. `hold()`
 * takes each message's data but keeps its reply back (a message in flight)
 * until `release()`; `held` counts the messages waiting so.
 */
export class TestSmtpServer {
  readonly mails: ReceivedMail[] = [];
  refusals = 0;
  held = 0;
  private refuseWith?: number;
  private holding?: Promise<void>;
  private releaseHeld?: () => void;
  private server!: SMTPServer;
  port = 0;

  async start(opts: { auth?: { user: string; password: string } } = {}): Promise<void> {
    this.server = new SMTPServer({
      authOptional: !opts.auth,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth: (auth, _session, cb) => {
        if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.password) cb(null, { user: auth.username });
        else cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
      onData: (stream: SMTPServerDataStream, session: SMTPServerSession, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', async () => {
          if (this.holding) {
            this.held++;
            await this.holding;
            this.held--;
          }
          if (this.refuseWith) {
            this.refusals++;
            return cb(Object.assign(new Error(this.refuseWith >= 500 ? 'Mailbox unavailable' : 'Try again later'), { responseCode: this.refuseWith }));
          }
          this.mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
            at: Date.now(),
          });
          cb();
        });
      },
    });
    this.server.on('error', () => {});
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  refuse(code: number): void {
    this.refuseWith = code;
  }

  accept(): void {
    this.refuseWith = undefined;
  }

  hold(): void {
    this.holding ??= new Promise<void>((resolve) => (this.releaseHeld = resolve));
  }

  release(): void {
    this.releaseHeld?.();
    this.holding = undefined;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The decoded text/plain part of a raw message (quoted-printable undone). */
export function plainText(raw: string): string {
  return mimePart(raw, 'plain') ?? unQuote(raw);
}

/** The decoded text/html part of a raw message, as a mail client renders it; undefined when it has none. */
export function htmlPart(raw: string): string | undefined {
  return mimePart(raw, 'html');
}

function mimePart(raw: string, subtype: 'plain' | 'html'): string | undefined {
  const m = new RegExp(`Content-Type: text/${subtype}[^\\r\\n]*\\r?\\n(?:[^\\r\\n]+\\r?\\n)*\\r?\\n([\\s\\S]*?)\\r?\\n--`, 'i').exec(raw);
  return m ? unQuote(m[1]!) : undefined;
}

/** Quoted-printable undone (each escaped byte as one character: enough for ASCII text and links). */
function unQuote(body: string): string {
  return body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

export function header(raw: string, name: string): string | undefined {
  const m = new RegExp(`^${name}: ((?:.*)(?:\\r?\\n[ \\t].*)*)`, 'im').exec(raw);
  return m?.[1]?.replace(/\r?\n[ \t]/g, ' ');
}

/** The header's physical lines as sent, folding included. */
export function rawHeaderLines(raw: string, name: string): string[] {
  const m = new RegExp(`^${name}: (?:.*)(?:\\r?\\n[ \\t].*)*`, 'im').exec(raw);
  return m ? m[0].split(/\r?\n/) : [];
}

/**
 * The header as a mail client shows it: unfolded, RFC 2047 encoded-words
 * (Q or B) decoded, whitespace between adjacent encoded-words dropped
 * (RFC 2047 §6.2).
 */
export function decodedHeader(raw: string, name: string): string {
  const value = header(raw, name) ?? '';
  const word = /=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g;
  return value
    .replace(/(\?=)\s+(?==\?)/g, '$1')
    .replace(word, (_, charset: string, enc: string, text: string) => {
      const bytes = enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
      return bytes.toString(charset.toLowerCase() === 'utf-8' ? 'utf8' : 'latin1');
    });
}

/** The notify: section most daemon tests use: every alert mailed at once to the test SMTP server on `port`. */
export function mailEverythingTo(port: number): string {
  return `notify:
  channels:
    noc-mail: { email: { smtp: { host: 127.0.0.1, port: ${port}, secure: false }, from: kpid@example.net, to: [noc@example.net] } }
  routes: [ { match: {}, channels: [noc-mail], group_wait: 0s, group_interval: 100ms, repeat: 1h } ]`;
}

/**
 * The notify: section of the ack tests: alerts mailed to noc@ on the test SMTP
 * server on `port`, and escalated to duty@ after `afterSeconds` unless acked.
 */
export function mailWithDutyEscalation(port: number, afterSeconds: number): string {
  return `notify:
  channels:
    noc-mail:  { email: { smtp: { host: 127.0.0.1, port: ${port}, secure: false }, from: kpid@example.net, to: [noc@example.net] } }
    duty-mail: { email: { smtp: { host: 127.0.0.1, port: ${port}, secure: false }, from: kpid@example.net, to: [duty@example.net] } }
  routes: [ { match: {}, channels: [noc-mail], group_wait: 200ms, escalation: duty } ]
  escalations:
    duty: { steps: [ { after: ${afterSeconds}s, channels: [duty-mail] } ] }`;
}
