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

export const probe = z.discriminatedUnion('type', [icmpProbe, tcpProbe], {
  error: (issue) =>
    issue.code === 'invalid_union' ? 'unknown probe type; expected one of: icmp, tcp' : undefined,
});

export type IcmpProbeConfig = z.output<typeof icmpProbe>;
export type TcpProbeConfig = z.output<typeof tcpProbe>;
