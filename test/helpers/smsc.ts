import smpp from 'smpp';
import type { PDU, Server, Session } from 'smpp';
import type { AddressInfo } from 'node:net';

export interface SubmittedSm {
  readonly systemId: string;
  readonly destination: string;
  readonly dataCoding: number;
  readonly esmClass: number;
  readonly udh?: Buffer;
  readonly message: string;
  readonly messageId: string;
  readonly registeredDelivery: number;
}

/**
 * A real SMSC: the `smpp` package in server mode on a free loopback port.
 * It checks the bind's credentials, accepts submit_sm, can send delivery
 * receipts to transceiver binds, and can drop every session on demand.
 */
export class TestSmsc {
  readonly submitted: SubmittedSm[] = [];
  readonly binds: { command: string; systemId: string }[] = [];
  enquireLinks = 0;
  /** When set, submit_sm gets no response at all (a half-dead SMSC). */
  swallowSubmits = false;
  /** Answers kept back by holdSubmits(): each submit_sm is taken (and recorded) but in flight until releaseSubmits(). */
  private heldAnswers?: (() => void)[];
  sendReceipts = true;
  private server!: Server;
  private nextId = 1;
  port = 0;

  constructor(private readonly creds = { systemId: 'kpid', password: 'secret' }) {}

  async start(port = 0): Promise<void> {
    this.server = smpp.createServer((session: Session) => {
      session.on('error', () => {}); // a client vanishing must not kill the test process
      let systemId = '';
      const bind = (pdu: PDU) => {
        const ok = pdu.system_id === this.creds.systemId && pdu.password === this.creds.password;
        this.binds.push({ command: pdu.command, systemId: String(pdu.system_id) });
        session.send(pdu.response({ command_status: ok ? 0 : 0x0d /* ESME_RBINDFAIL */ }));
        if (ok) systemId = String(pdu.system_id);
        else session.close();
      };
      session.on('bind_transmitter', bind);
      session.on('bind_transceiver', bind);
      session.on('enquire_link', (pdu: PDU) => {
        this.enquireLinks++;
        session.send(pdu.response());
      });
      session.on('unbind', (pdu: PDU) => {
        session.send(pdu.response());
        session.close();
      });
      session.on('submit_sm', (pdu: PDU) => {
        if (this.swallowSubmits) return;
        const messageId = `m${this.nextId++}`;
        const sm = pdu.short_message as { udh?: Buffer[]; message: string | Buffer };
        this.submitted.push({
          systemId,
          destination: String(pdu.destination_addr),
          dataCoding: Number(pdu.data_coding),
          esmClass: Number(pdu.esm_class),
          udh: sm.udh?.length ? Buffer.concat([Buffer.from([sm.udh.reduce((n, u) => n + u.length, 0)]), ...sm.udh]) : undefined,
          message: String(sm.message),
          messageId,
          registeredDelivery: Number(pdu.registered_delivery),
        });
        const answer = () => {
          try {
            session.send(pdu.response({ message_id: messageId }));
          } catch {
            // the client went away while its answer was held
          }
        };
        if (this.heldAnswers) {
          this.heldAnswers.push(answer);
          return;
        }
        answer();
        if (this.sendReceipts && Number(pdu.registered_delivery) & 1) {
          session.deliver_sm({
            source_addr: pdu.destination_addr,
            destination_addr: pdu.source_addr,
            esm_class: smpp.ESM_CLASS.MC_DELIVERY_RECEIPT,
            short_message: `id:${messageId} sub:001 dlvrd:001 submit date:2601010000 done date:2601010000 stat:DELIVRD err:000 text:`,
          });
        }
      });
    });
    this.server.on('error', () => {});
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `smpp://127.0.0.1:${this.port}`;
  }

  /** Drops every bound session at the TCP level, as an SMSC restart would. */
  dropSessions(): void {
    for (const s of [...this.server.sessions]) s.destroy();
  }

  holdSubmits(): void {
    this.heldAnswers ??= [];
  }

  /** submit_sm taken but not yet answered. */
  get heldSubmits(): number {
    return this.heldAnswers?.length ?? 0;
  }

  releaseSubmits(): void {
    const answers = this.heldAnswers ?? [];
    this.heldAnswers = undefined;
    for (const answer of answers) answer();
  }

  async stop(): Promise<void> {
    this.dropSessions();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
