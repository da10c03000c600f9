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
  /** PEM file with the CA certificate(s) that issued the server's certificate, trusted instead of the system list (Node replaces its roots with `ca`). */
  tls_ca: z.string().min(1).optional(),
});

export const probe = z.discriminatedUnion('type', [icmpProbe, tcpProbe, httpProbe], {
  error: (issue) =>
    issue.code === 'invalid_union' ? 'unknown probe type; expected one of: icmp, tcp, http' : undefined,
});

export type IcmpProbeConfig = z.output<typeof icmpProbe>;
export type TcpProbeConfig = z.output<typeof tcpProbe>;
export type HttpProbeConfig = z.output<typeof httpProbe>;
