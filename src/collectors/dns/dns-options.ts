import { mapOnce } from '../../core/map-once.js';
import type { DnsProbeConfig } from './dns-config.js';

/** What the DNS collector runs on: a target's validated `dns` probe (dns-config.ts) mapped once, here. Durations ms. */
export interface DnsProbeOptions {
  /** Label value of `probe`. */
  readonly name: string;
  /** The name to resolve. */
  readonly query: string;
  /** Default A. */
  readonly recordType: DnsProbeConfig['record_type'];
  /** The resolver asked. Default: the target's address. */
  readonly server?: string | undefined;
  /** Default 53. */
  readonly port: number;
  /** Ask again over TCP when the UDP answer is truncated. Default true. */
  readonly tcpFallback: boolean;
  /** How long to wait for the answer on each transport, ms. Default 2,000. */
  readonly answerTimeout: number;
  /** Right when a record is one of these addresses. Default: any answer. */
  readonly expectAddress?: readonly string[] | undefined;
  /** Right when a record's text matches. Default: any answer. */
  readonly expectRegex?: string | undefined;
}

/** A target's `dns` probe as the scheduler hands it (named by targets/): read only through dnsOptions. */
export type DnsSpec = DnsProbeConfig & { name: string };

/** Options from a validated `dns` probe; mapped once per block (a reload brings new blocks). */
export const dnsOptions = mapOnce((b: DnsSpec): DnsProbeOptions => ({
  name: b.name, query: b.query, recordType: b.record_type, ...(b.server !== undefined ? { server: b.server } : {}), port: b.port,
  tcpFallback: b.tcp_fallback, answerTimeout: b.answer_timeout,
  ...(b.expect_address !== undefined ? { expectAddress: b.expect_address } : {}),
  ...(b.expect_regex !== undefined ? { expectRegex: b.expect_regex } : {}),
}));
