import { mapOnce } from '../../core/map-once.js';
import type { HttpProbeConfig } from './http-config.js';

/** What the HTTP collector runs on: a target's validated `http` probe (http-config.ts) mapped once, here. */
export interface HttpProbeOptions {
  /** Label value of `probe`. */
  readonly name: string;
  /** http(s)://host:port/path; `{address}` stands for the target's address. */
  readonly url: string;
  /** Default GET. */
  readonly method: 'GET' | 'HEAD' | 'POST';
  /** Default none. */
  readonly headers: Readonly<Record<string, string>>;
  /** Status codes that count as success. Default 200, 201, 202, 204, 301, 302, 304. */
  readonly expectStatus: readonly number[];
  /** Verify the server's certificate. Default true. */
  readonly tlsVerify: boolean;
  /** PEM file of the CA(s) trusted instead of the system list. Default: the system list. */
  readonly tlsCa?: string | undefined;
}

/** A target's `http` probe as the scheduler hands it (named by targets/): read only through httpOptions. */
export type HttpSpec = HttpProbeConfig & { name: string };

/** Options from a validated `http` probe; mapped once per block (a reload brings new blocks). */
export const httpOptions = mapOnce((b: HttpSpec): HttpProbeOptions => ({
  name: b.name, url: b.url, method: b.method, headers: b.headers, expectStatus: b.expect_status, tlsVerify: b.tls_verify,
  ...(b.tls_ca !== undefined ? { tlsCa: b.tls_ca } : {}),
}));
