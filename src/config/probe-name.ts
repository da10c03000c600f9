import type { z } from 'zod';
import type { probe } from './sections/probes.js';

/** The label a probe's samples and metrics carry: its name, or `icmp`, `tcp:22`, `http:URL`, `dns:NAME`, `throughput:URL`, `throughput:iperf3:5201`. */
export function probeName(p: z.output<typeof probe>): string {
  if (p.name) return p.name;
  if (p.type === 'tcp') return `tcp:${p.port}`;
  if (p.type === 'http') return `http:${p.url}`;
  if (p.type === 'dns') return `dns:${p.query}`;
  if (p.type === 'throughput') return p.mode === 'iperf3' ? `throughput:iperf3:${p.port}` : `throughput:${p.url}`;
  return p.type;
}
