import { createSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';

/** Where a query goes, and how long to wait for the answer on one transport (ms). */
export interface DnsServer {
  readonly address: string;
  readonly port: number;
  readonly answerTimeout: number;
}

/** The raw answer, or why none came: `timeout` (silence) or `refused` (TCP port closed, connection reset). */
export type Exchange = { answer: Buffer } | { failed: 'timeout' | 'refused' };

/**
 * One query over UDP. Only a datagram from the server, carrying the query's
 * id, is taken as the answer (RFC 5452 §9.1): a stray or spoofed reply is
 * ignored and the wait goes on.
 */
export function askOverUdp(server: DnsServer, query: Buffer, signal: AbortSignal): Promise<Exchange> {
  const id = query.readUInt16BE(0);
  const socket = createSocket(isIPv6(server.address) ? 'udp6' : 'udp4');
  return settle(signal, server.answerTimeout, () => socket.close(), (done) => {
    socket.on('message', (msg, from) => {
      if (from.address === server.address && from.port === server.port && msg.length >= 12 && msg.readUInt16BE(0) === id) {
        done({ answer: msg });
      }
    });
    // A send error (no route) is silence as far as the operator is concerned: the answer never comes.
    socket.on('error', () => done({ failed: 'timeout' }));
    socket.send(query, server.port, server.address);
  });
}

/** One query over TCP: two-byte length prefix each way (RFC 1035 §4.2.2). */
export function askOverTcp(server: DnsServer, query: Buffer, signal: AbortSignal): Promise<Exchange> {
  const framed = Buffer.alloc(query.length + 2);
  framed.writeUInt16BE(query.length, 0);
  query.copy(framed, 2);
  const socket = connect({ host: server.address, port: server.port });
  return settle(signal, server.answerTimeout, () => socket.destroy(), (done) => {
    let received = Buffer.alloc(0);
    socket.on('connect', () => socket.write(framed));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
        done({ answer: received.subarray(2, 2 + received.readUInt16BE(0)) });
      }
    });
    socket.on('error', () => done({ failed: 'refused' }));
    socket.on('end', () => done({ failed: 'refused' }));
  });
}

/** Runs `start` until it calls done, the wait runs out, or the poll is aborted; then `cleanup`. */
function settle(
  signal: AbortSignal,
  timeoutMs: number,
  cleanup: () => void,
  start: (done: (e: Exchange) => void) => void,
): Promise<Exchange> {
  return new Promise((resolve) => {
    let finished = false;
    const done = (e: Exchange) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      cleanup();
      resolve(e);
    };
    const onAbort = () => done({ failed: 'timeout' });
    const timer = setTimeout(onAbort, timeoutMs);
    if (signal.aborted) return done({ failed: 'timeout' });
    signal.addEventListener('abort', onAbort, { once: true });
    start(done);
  });
}
