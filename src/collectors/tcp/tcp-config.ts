import { z } from 'zod';

const port = z.number().int().min(1).max(65535);

/** The `tcp` probe's section of a target: a port to connect to. Its collector owns it; config/sections/probes.ts composes the probes. */
export const tcpProbe = z.strictObject({
  type: z.literal('tcp'),
  name: z.string().min(1).optional(),
  port,
});

export type TcpProbeConfig = z.output<typeof tcpProbe>;
