import type { TrapMetrics } from '../../src/metrics/trap-metrics.js';

/** How many traps the receiver counted under one result (accepted, a rejection reason), over every label set. */
export async function trapCount(metrics: TrapMetrics, result: string): Promise<number> {
  return (await metrics.traps.get()).values.filter((v) => v.labels.result === result).reduce((a, v) => a + v.value, 0);
}
