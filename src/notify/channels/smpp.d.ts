// Minimal types for the `smpp` package (0.5.x), which ships none: only what kpid uses.
declare module 'smpp' {
  import { EventEmitter } from 'node:events';
  import type { Server as NetServer } from 'node:net';

  export interface PDU {
    command: string;
    command_status: number;
    sequence_number: number;
    [field: string]: unknown;
    response(fields?: Record<string, unknown>): PDU;
    isResponse(): boolean;
  }

  export class Session extends EventEmitter {
    send(pdu: PDU, responseCallback?: (pdu: PDU) => void): boolean;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    pause(): void;
    resume(): void;
    socket: import('node:net').Socket;
    bind_transmitter(fields: Record<string, unknown>, cb?: (pdu: PDU) => void): boolean;
    bind_transceiver(fields: Record<string, unknown>, cb?: (pdu: PDU) => void): boolean;
    submit_sm(fields: Record<string, unknown>, cb?: (pdu: PDU) => void): boolean;
    deliver_sm(fields: Record<string, unknown>, cb?: (pdu: PDU) => void): boolean;
    enquire_link(fields?: Record<string, unknown> | ((pdu: PDU) => void), cb?: (pdu: PDU) => void): boolean;
    unbind(fields?: Record<string, unknown> | ((pdu: PDU) => void), cb?: (pdu: PDU) => void): boolean;
  }

  export interface Server extends NetServer {
    sessions: Session[];
  }

  export function connect(options: { url: string; [k: string]: unknown }, listener?: () => void): Session;
  export function createServer(listener: (session: Session) => void): Server;
  export function createServer(options: Record<string, unknown>, listener: (session: Session) => void): Server;

  export const ESME_ROK: number;
  export const ESME_RBINDFAIL: number;
  export const ESME_RTHROTTLED: number;
  export const ESME_RMSGQFUL: number;
  export const ESME_RSYSERR: number;
  export const ESME_RINVDSTADR: number;
  export const ESM_CLASS: Record<string, number>;
  export const ENCODING: Record<string, number>;

  const smpp: {
    connect: typeof connect;
    createServer: typeof createServer;
    ESM_CLASS: typeof ESM_CLASS;
    ENCODING: typeof ENCODING;
  };
  export default smpp;
}
