import type { Sample } from '../core/sample.js';

/**
 * The chapter-5.1 KPIs the report computes from polled samples, and which
 * sample field measures each: interface utilisation per direction, error
 * and discard ratios per direction (as the alert rules judge them, each on
 * its own), probe round trip, jitter and loss, and throughput probes' download goodput. Shared by the rollup (which
 * keeps their daily aggregates) and the report (which reads them back, or
 * asks InfluxDB for the same fields).
 */
export interface PolledPart {
  readonly kpi: PolledKpi;
  readonly measurement: 'interface' | 'probe';
  readonly field: string;
  /** Appended to the interface name ("Gi0/1 in"); probes are named by their probe tag alone. */
  readonly part?: string;
}

export type PolledKpi = 'bandwidth_utilisation' | 'interface_errors' | 'latency' | 'jitter' | 'packet_loss' | 'avg_data_rate';

export const POLLED_PARTS: readonly PolledPart[] = [
  { kpi: 'bandwidth_utilisation', measurement: 'interface', field: 'in_utilization', part: 'in' },
  { kpi: 'bandwidth_utilisation', measurement: 'interface', field: 'out_utilization', part: 'out' },
  { kpi: 'interface_errors', measurement: 'interface', field: 'in_errors_ratio', part: 'in errors' },
  { kpi: 'interface_errors', measurement: 'interface', field: 'in_discards_ratio', part: 'in discards' },
  { kpi: 'interface_errors', measurement: 'interface', field: 'out_errors_ratio', part: 'out errors' },
  { kpi: 'interface_errors', measurement: 'interface', field: 'out_discards_ratio', part: 'out discards' },
  { kpi: 'latency', measurement: 'probe', field: 'rtt_seconds' },
  { kpi: 'jitter', measurement: 'probe', field: 'jitter_seconds' },
  { kpi: 'packet_loss', measurement: 'probe', field: 'loss_ratio' },
  // Goodput of throughput probes (src/collectors/throughput): the data rate a user gets.
  { kpi: 'avg_data_rate', measurement: 'probe', field: 'download_bits_per_second' },
];

export const POLLED_KPIS: ReadonlySet<string> = new Set(POLLED_PARTS.map((p) => p.kpi));

/** The series a polled value belongs to inside its target: "Gi0/1 in", "ping". Undefined when the sample lacks the tag. */
export function polledSeries(part: PolledPart, tags: Readonly<Record<string, string>>): string | undefined {
  if (part.measurement === 'interface') return tags.interface ? `${tags.interface} ${part.part}` : undefined;
  return tags.probe || undefined;
}

/**
 * Utilisation is kept as counts per whole-percent bin, so a period's 95th
 * percentile can be read from days added together. Bin k holds values in
 * ((k−1) %, k %]: its upper edge never understates the utilisation, and a
 * whole-percent target (≤ 80 %) is judged exactly.
 */
export function utilisationBin(ratio: number): number {
  return Math.max(0, Math.ceil(Math.round(ratio * 1e9) / 1e7));
}

/** Which first-seen records a sample proves: its target, and its interface or probe. */
export function seenKeys(s: Sample): string[] {
  const target = s.tags.target;
  if (!target) return [];
  const keys = [`${target}\u0000`];
  if (s.measurement === 'interface' && s.tags.interface) keys.push(`${target}\u0000interface=${s.tags.interface}`);
  if (s.measurement === 'probe' && s.tags.probe) keys.push(`${target}\u0000probe=${s.tags.probe}`);
  return keys;
}
