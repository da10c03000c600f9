import { z } from 'zod';
import { duration } from '../../config/duration-schema.js';

/** The `icmp` probe's section of a target: fping's count, spacing and reply timeout. Its collector owns it; config/sections/probes.ts composes the probes. */
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

export type IcmpProbeConfig = z.output<typeof icmpProbe>;
