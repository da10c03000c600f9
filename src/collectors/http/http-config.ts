import { z } from 'zod';

/** The `http` probe's section of a target. Its collector owns it; config/sections/probes.ts composes the probes. */
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

export type HttpProbeConfig = z.output<typeof httpProbe>;
