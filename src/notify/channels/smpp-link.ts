import smpp from 'smpp';
import type { PDU, Session } from 'smpp';
import type { Logger } from '../../core/logger.js';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { SmppOptions } from '../notify-options.js';
import { backoffDelay } from '../queue/backoff.js';
import { DeliveryError } from '../delivery.js';

export interface DeliveryReceipt {
  readonly messageId: string;
  /** DELIVRD, UNDELIV, EXPIRED, REJECTD, ... from the receipt text (SMPP 3.4 Appendix B). */
  readonly stat: string;
  readonly destination: string;
  readonly at: number;
}

interface PendingSubmit {
  readonly fields: Record<string, unknown>;
  sentOn?: Session;
  readonly resolve: (messageId: string) => void;
  readonly reject: (err: Error) => void;
  readonly timer: TimerHandle;
}

/** SMSC answers that mean "not now": the same submit may succeed later. */
const TRANSIENT_STATUS = new Set([0x08 /* RSYSERR */, 0x14 /* RMSGQFUL */, 0x58 /* RTHROTTLED */, 0x64 /* RX_T_APPN */]);

/**
 * One bind to an SMSC, kept alive. It binds (transmitter, or transceiver to
 * receive delivery receipts), sends enquire_link every `enquire_link`, and
 * when the bind drops it reconnects with backoff and resends every submit
 * the SMSC had not acknowledged.
 */
export class SmppLink {
  private session?: Session;
  private bound = false;
  private closing = false;
  private failures = 0;
  private reconnectTimer?: TimerHandle;
  private enquireTimer?: TimerHandle;
  private readonly pending = new Set<PendingSubmit>();
  /** Binds made, for tests and logs: a rebind makes it > 1. */
  binds = 0;

  constructor(
    private readonly channel: string,
    private readonly cfg: SmppOptions,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly onReceipt: (r: DeliveryReceipt) => void = () => {},
  ) {}

  get isBound(): boolean {
    return this.bound;
  }

  start(): void {
    if (!this.session && !this.closing) this.connect();
  }

  /** Resolves with the SMSC's message_id once submit_sm_resp says OK. */
  submit(fields: Record<string, unknown>): Promise<string> {
    this.start();
    return new Promise<string>((resolve, reject) => {
      const entry: PendingSubmit = {
        fields,
        resolve,
        reject,
        timer: this.clock.setTimeout(() => {
          this.pending.delete(entry);
          reject(new DeliveryError(this.channel, true, `SMPP: no submit_sm_resp within ${this.cfg.timeout}ms`, { reason: this.bound ? 'timeout' : 'not_bound' }));
        }, this.cfg.timeout),
      };
      this.pending.add(entry);
      if (this.bound) this.sendPending(entry);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.reconnectTimer) this.clock.clearTimeout(this.reconnectTimer);
    if (this.enquireTimer) this.clock.clearTimeout(this.enquireTimer);
    for (const p of this.pending) {
      this.clock.clearTimeout(p.timer);
      p.reject(new DeliveryError(this.channel, true, 'SMPP: channel closed', { reason: 'closed' }));
    }
    this.pending.clear();
    const s = this.session;
    if (!s) return;
    await new Promise<void>((resolve) => {
      const done = setTimeout(() => s.destroy(() => resolve()), 1_000);
      if (!this.bound || !s.unbind(() => { clearTimeout(done); s.destroy(() => resolve()); })) {
        clearTimeout(done);
        s.destroy(() => resolve());
      }
    });
  }

  private connect(): void {
    const session = smpp.connect({ url: this.cfg.url });
    this.session = session;
    // Without an error listener a refused connection would kill the process.
    session.on('error', (err: Error) => this.logger.warn({ channel: this.channel, err: errorMessage(err) }, 'SMSC connection error'));
    session.on('close', () => this.dropped(session));
    session.on('connect', () => this.bind(session));
    session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: PDU) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('deliver_sm', (pdu: PDU) => {
      session.send(pdu.response());
      const receipt = parseReceipt(pdu, this.clock.now());
      if (receipt) this.onReceipt(receipt);
    });
  }

  private bind(session: Session): void {
    const fields = { system_id: this.cfg.systemId, password: this.cfg.password, system_type: this.cfg.systemType, interface_version: 0x34 };
    const done = (pdu: PDU) => {
      if (session !== this.session) return;
      if (pdu.command_status !== 0) {
        // The status is enough to act on; the password is never logged.
        this.logger.error({ channel: this.channel, status: pdu.command_status, system_id: this.cfg.systemId }, 'SMSC refused the bind');
        session.destroy();
        return;
      }
      this.bound = true;
      this.failures = 0;
      this.binds++;
      this.logger.info({ channel: this.channel, binds: this.binds }, 'bound to SMSC');
      this.scheduleEnquire(session);
      for (const p of this.pending) if (p.sentOn !== session) this.sendPending(p);
    };
    if (this.cfg.bind === 'transceiver') session.bind_transceiver(fields, done);
    else session.bind_transmitter(fields, done);
  }

  private sendPending(p: PendingSubmit): void {
    const session = this.session!;
    p.sentOn = session;
    session.submit_sm({ ...p.fields }, (resp: PDU) => {
      if (!this.pending.has(p)) return;
      this.pending.delete(p);
      this.clock.clearTimeout(p.timer);
      if (resp.command_status === 0) p.resolve(String(resp.message_id ?? ''));
      else {
        const transient = TRANSIENT_STATUS.has(resp.command_status);
        p.reject(new DeliveryError(this.channel, transient, `SMPP: submit_sm refused with status 0x${resp.command_status.toString(16)}`, { smpp_status: resp.command_status }));
      }
    });
  }

  private scheduleEnquire(session: Session): void {
    this.enquireTimer = this.clock.setTimeout(() => {
      if (session !== this.session || !this.bound) return;
      // An SMSC that does not answer enquire_link within the submit timeout is gone, even if TCP says otherwise.
      const dead = this.clock.setTimeout(() => session.destroy(), this.cfg.timeout);
      session.enquire_link(() => this.clock.clearTimeout(dead));
      this.scheduleEnquire(session);
    }, this.cfg.enquireLink);
  }

  private dropped(session: Session): void {
    if (session !== this.session) return;
    this.bound = false;
    this.session = undefined;
    if (this.enquireTimer) this.clock.clearTimeout(this.enquireTimer);
    // Submits without a response are resent on the next bind.
    for (const p of this.pending) p.sentOn = undefined;
    if (this.closing) return;
    this.failures++;
    const delay = backoffDelay(this.failures, { initial: this.cfg.reconnectInitial, max: this.cfg.reconnectMax });
    this.logger.warn({ channel: this.channel, delay, unacknowledged: this.pending.size }, 'SMSC bind lost; reconnecting');
    this.reconnectTimer = this.clock.setTimeout(() => this.connect(), delay);
  }
}

/** SMPP 3.4 Appendix B: "id:X sub:001 dlvrd:001 submit date:... done date:... stat:DELIVRD err:000 text:..." */
export function parseReceipt(pdu: PDU, now: number): DeliveryReceipt | undefined {
  const esm = Number(pdu.esm_class ?? 0);
  if ((esm & 0x3c) !== 0x04) return undefined; // not an SMSC delivery receipt
  const sm = pdu.short_message as { message?: string | Buffer } | string | undefined;
  const text = typeof sm === 'string' ? sm : String(sm?.message ?? '');
  const id = (pdu.receipted_message_id as string | undefined) ?? /id:(\S+)/.exec(text)?.[1];
  const stat = /stat:(\w+)/.exec(text)?.[1] ?? 'UNKNOWN';
  if (!id) return undefined;
  return { messageId: id, stat, destination: String(pdu.source_addr ?? ''), at: now };
}
