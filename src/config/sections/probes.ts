import { isIP } from 'node:net';
import { z } from 'zod';
import { duration } from '../duration-schema.js';

const port = z.number().int().min(1).max(65535);

export const icmpProbe = z.strictObject({
  type: z.literal('icmp'),
  name: z.string().min(1).optional(),
  /** Echo requests per probe; loss resolution is 1/count. */
  count: z.number().int().min(1).max(10_000).default(10),
  /** Time between two echo requests to the same host (fping -p). */
  spacing: duration({ min: 10 }).default(100),
  /** How long to wait for each reply (fping -t). */
  reply_timeout: duration({ min: 10 }).default(1000),
});

export const tcpProbe = z.strictObject({
  type: z.literal('tcp'),
  name: z.string().min(1).optional(),
  port,
});

export const httpProbe = z.strictObject({
  type: z.literal('http'),
  name: z.string().min(1).optional(),
  /** http(s)://host:port/path; `{address}` stands for the target's address. */
  url: z.string().regex(/^https?:\/\/\S+$/, 'url must start with http:// or https://'),
  method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
  headers: z.record(z.string(), z.string()).default({}),
  /** Status codes that count as success. */
  expect_status: z.array(z.number().int().min(100).max(599)).min(1).default([200, 201, 202, 204, 301, 302, 304]),
  /** Verify the server's certificate. Turn off only for lab devices with self-signed certificates. */
  tls_verify: z.boolean().default(true),
});

const ipAddress = z.string().refine((a) => isIP(a) !== 0, 'expected an IPv4 or IPv6 address');

const regexSource = z.string().min(1).refine((src) => {
  try {
    new RegExp(src);
    return true;
  } catch {
    return false;
  }
}, 'not a valid regular expression');

export const dnsProbe = z.strictObject({
  type: z.literal('dns'),
  name: z.string().min(1).optional(),
  /** The name to resolve. */
  query: z.string().min(1),
  record_type: z.enum(['A', 'AAAA', 'CNAME', 'MX', 'NS', 'PTR', 'SOA', 'SRV', 'TXT']).default('A'),
  /** The resolver asked; default the target's address (the target is the DNS server). */
  server: z.string().min(1).optional(),
  port: port.default(53),
  /** Ask again over TCP when the UDP answer comes back truncated (RFC 7766). */
  tcp_fallback: z.boolean().default(true),
  /** How long to wait for the answer on each transport. */
  answer_timeout: duration({ min: 10 }).default(2000),
  /** The answer is right when at least one of its records is one of these addresses. */
  expect_address: z.union([ipAddress, z.array(ipAddress).min(1)]).transform((a) => (Array.isArray(a) ? a : [a])).optional(),
  /** The answer is right when at least one record's text (address, name, TXT strings) matches. */
  expect_regex: regexSource.optional(),
});

export const probe = z.discriminatedUnion('type', [icmpProbe, tcpProbe, httpProbe, dnsProbe], {
  error: (issue) =>
    issue.code === 'invalid_union' ? 'unknown probe type; expected one of: icmp, tcp, http, dns' : undefined,
});

export type IcmpProbeConfig = z.output<typeof icmpProbe>;
export type TcpProbeConfig = z.output<typeof tcpProbe>;
export type HttpProbeConfig = z.output<typeof httpProbe>;
export type DnsProbeConfig = z.output<typeof dnsProbe>;
