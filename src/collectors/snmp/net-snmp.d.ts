// The parts of net-snmp 3.29 that kpid uses. The package ships no types.
declare module 'net-snmp' {
  import type { EventEmitter } from 'node:events';

  export interface Varbind {
    oid: string;
    type: number;
    /** number for Integer/Counter/Gauge/TimeTicks, Buffer for OctetString and Counter64, string for OID/IpAddress. */
    value: unknown;
  }

  export type ResponseCallback<T> = (error: Error | null, result: T) => void;

  export interface SessionOptions {
    port?: number;
    retries?: number;
    timeout?: number;
    transport?: 'udp4' | 'udp6';
    version?: number;
    backwardsGetNexts?: boolean;
    reportOidMismatchErrors?: boolean;
    idBitsSize?: 16 | 32;
    context?: string;
  }

  export interface User {
    name: string;
    level: number;
    authProtocol?: number;
    authKey?: string;
    privProtocol?: number;
    privKey?: string;
  }

  export interface Session extends EventEmitter {
    get(oids: string[], cb: ResponseCallback<Varbind[]>): Session;
    getNext(oids: string[], cb: ResponseCallback<Varbind[]>): Session;
    getBulk(oids: string[], nonRepeaters: number, maxRepetitions: number, cb: ResponseCallback<Varbind[][]>): Session;
    close(): Session;
  }

  export function createSession(target: string, community: string, options?: SessionOptions): Session;
  export function createV3Session(target: string, user: User, options?: SessionOptions): Session;
  export function isVarbindError(vb: Varbind): boolean;

  export const Version1: number;
  export const Version2c: number;
  export const Version3: number;
  export const ObjectType: Record<string, number>;
  export const ErrorStatus: Record<string, number>;
  export const SecurityLevel: Record<string, number>;
  export const AuthProtocols: Record<string, number>;
  export const PrivProtocols: Record<string, number>;
  export const ResponseInvalidCode: Record<string, number>;
  export const MibProviderType: Record<string, number>;
  export const MaxAccess: Record<string, number>;

  export class RequestTimedOutError extends Error {}
  export class RequestFailedError extends Error {
    status: number;
  }
  export class ResponseInvalidError extends Error {
    code: number;
  }

  // In-process agent, used by the tests for crafted answers.
  export interface MibProviderDefinition {
    name: string;
    type: number;
    oid: string;
    scalarType?: number;
    maxAccess?: number;
    tableColumns?: Array<{ number: number; name: string; type: number; maxAccess?: number }>;
    tableIndex?: Array<{ columnName: string }>;
  }
  export interface Mib {
    registerProvider(def: MibProviderDefinition): void;
    setScalarValue(name: string, value: unknown): void;
    addTableRow(name: string, row: unknown[]): void;
    setTableSingleCell(name: string, column: number, rowIndex: unknown[], value: unknown): void;
    deleteTableRow(name: string, rowIndex: unknown[]): void;
  }
  export interface Agent {
    getMib(): Mib;
    getAuthorizer(): { addCommunity(c: string): void };
    close(cb?: () => void): void;
    sendResponse(socket: unknown, rinfo: unknown, request: unknown, pdu: { varbinds: Varbind[] }): void;
  }
  export function createAgent(
    options: { port?: number; address?: string; disableAuthorization?: boolean },
    cb: (err: Error | null, data?: unknown) => void,
  ): Agent;

  const snmp: {
    createSession: typeof createSession;
    createV3Session: typeof createV3Session;
    createAgent: typeof createAgent;
    isVarbindError: typeof isVarbindError;
    Version1: number;
    Version2c: number;
    Version3: number;
    ObjectType: typeof ObjectType;
    ErrorStatus: typeof ErrorStatus;
    SecurityLevel: typeof SecurityLevel;
    AuthProtocols: typeof AuthProtocols;
    PrivProtocols: typeof PrivProtocols;
    ResponseInvalidCode: typeof ResponseInvalidCode;
    MibProviderType: typeof MibProviderType;
    MaxAccess: typeof MaxAccess;
    RequestTimedOutError: typeof RequestTimedOutError;
    RequestFailedError: typeof RequestFailedError;
    ResponseInvalidError: typeof ResponseInvalidError;
  };
  export default snmp;
}
