import snmp, { type ResponseCallback, type Session, type SessionOptions, type User, type Varbind } from 'net-snmp';
import type { SnmpOptions } from './snmp-options.js';
import type { RawVarbind } from './varbind-values.js';
// net-snmp reads every OID through asn1-ber: a leaner reader of their text, same results.
import './oid-text.js';

/**
 * What the walker and the modules need from an SNMP session. The real one
 * wraps net-snmp; tests replay recorded walks through the same interface.
 */
export interface SnmpSession {
  readonly version: '1' | '2c' | '3';
  get(oids: readonly string[], signal: AbortSignal): Promise<RawVarbind[]>;
  /**
   * The varbinds that follow `oid`, in the agent's order: up to
   * `maxRepetitions` with GETBULK (v2c, v3), one with GETNEXT (v1).
   */
  next(oid: string, maxRepetitions: number, signal: AbortSignal): Promise<RawVarbind[]>;
  close(): void;
}

/** Why a request failed; becomes the `reason` label of kpid_collector_errors_total. */
export type RequestFailure = 'timeout' | 'auth' | 'no_such_object' | 'malformed' | 'agent_error' | 'socket' | 'aborted';

export class SnmpRequestError extends Error {
  constructor(readonly reason: RequestFailure, message: string, readonly oid: string) {
    super(message);
  }
}

/** Whether a failure means "no answer", worth confirming with a re-poll. */
export function isUnanswered(reason: string): boolean {
  return reason === 'timeout' || reason === 'socket';
}

const INVALID = snmp.ResponseInvalidCode;

function classify(err: Error, sawGarbage: boolean): RequestFailure {
  if (err instanceof snmp.RequestTimedOutError) return sawGarbage ? 'malformed' : 'timeout';
  if (err instanceof snmp.ResponseInvalidError) {
    switch (err.code) {
      case INVALID.EAuthFailure:
      case INVALID.ECouldNotDecrypt:
      case INVALID.ENotInTimeWindow:
      case INVALID.ECommunityNoMatch:
        return 'auth';
      default:
        return 'malformed';
    }
  }
  if (err instanceof snmp.RequestFailedError) {
    const s = snmp.ErrorStatus;
    if (err.status === s.NoSuchName) return 'no_such_object';
    if (err.status === s.AuthorizationError || err.status === s.NoAccess) return 'auth';
    return 'agent_error';
  }
  return 'socket';
}

export interface SessionAddress {
  readonly ip: string;
  readonly port: number;
}

/** A net-snmp session to one device: one UDP socket, reused across polls until closed. */
export class NetSnmpSession implements SnmpSession {
  readonly version: '1' | '2c' | '3';
  private readonly session: Session;
  /** A datagram that net-snmp could not parse arrived while requests were out. */
  private garbage = false;

  constructor(address: SessionAddress, spec: SnmpOptions) {
    this.version = spec.version;
    const options: SessionOptions = {
      port: address.port,
      retries: spec.retries,
      timeout: spec.timeout,
      transport: address.ip.includes(':') ? 'udp6' : 'udp4',
      // The walker checks OID order itself, so a looping agent ends the walk
      // with walk_loop instead of net-snmp's generic error.
      backwardsGetNexts: true,
    };
    if (spec.version === '3') {
      const u = spec.user!;
      const user: User = { name: u.name, level: snmp.SecurityLevel[u.level]! };
      if (u.authProtocol) Object.assign(user, { authProtocol: snmp.AuthProtocols[u.authProtocol], authKey: u.authKey });
      if (u.privProtocol) Object.assign(user, { privProtocol: snmp.PrivProtocols[u.privProtocol], privKey: u.privKey });
      this.session = snmp.createV3Session(address.ip, user, { ...options, version: snmp.Version3 });
    } else {
      const version = spec.version === '1' ? snmp.Version1 : snmp.Version2c;
      this.session = snmp.createSession(address.ip, spec.community!, { ...options, version });
    }
    // net-snmp emits 'error' for an unparsable datagram; unhandled, it would
    // kill the process. The request it answered then times out: remember why.
    this.session.on('error', () => {
      this.garbage = true;
    });
  }

  get(oids: readonly string[], signal: AbortSignal): Promise<RawVarbind[]> {
    return this.request(oids[0] ?? '', signal, (cb) => this.session.get([...oids], cb));
  }

  async next(oid: string, maxRepetitions: number, signal: AbortSignal): Promise<RawVarbind[]> {
    if (this.version === '1') return this.request(oid, signal, (cb) => this.session.getNext([oid], cb));
    const rows = await this.request<Varbind[][]>(oid, signal, (cb) => this.session.getBulk([oid], 0, maxRepetitions, cb));
    return rows[0] ?? [];
  }

  close(): void {
    try {
      this.session.close();
    } catch {
      // already closed
    }
  }

  private request<T = RawVarbind[]>(oid: string, signal: AbortSignal, send: (cb: ResponseCallback<T>) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal.aborted) return reject(new SnmpRequestError('aborted', `poll aborted before requesting ${oid}`, oid));
      const onAbort = () => reject(new SnmpRequestError('aborted', `poll aborted while requesting ${oid}`, oid));
      signal.addEventListener('abort', onAbort, { once: true });
      this.garbage = false;
      try {
        send((err, result) => {
          signal.removeEventListener('abort', onAbort);
          if (!err) return resolve(result);
          const reason = classify(err, this.garbage);
          const what = reason === 'malformed' && err instanceof snmp.RequestTimedOutError ? 'malformed or truncated response' : err.message;
          reject(new SnmpRequestError(reason, `${what} (OID ${oid})`, oid));
        });
      } catch (err) {
        signal.removeEventListener('abort', onAbort);
        reject(new SnmpRequestError('socket', `${(err as Error).message} (OID ${oid})`, oid));
      }
    });
  }
}
