import { isIP } from 'node:net';
import { z } from 'zod';
import { duration } from '../../config/duration-schema.js';

const port = z.number().int().min(1).max(65535);
const ipAddress = z.string().refine((a) => isIP(a) !== 0, 'expected an IPv4 or IPv6 address');

const regexSource = z.string().min(1).refine((src) => {
  try {
    new RegExp(src);
    return true;
  } catch {
    return false;
  }
}, 'not a valid regular expression');

/** The `dns` probe's section of a target. Its collector owns it; config/sections/probes.ts composes the probes. */
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

export type DnsProbeConfig = z.output<typeof dnsProbe>;
