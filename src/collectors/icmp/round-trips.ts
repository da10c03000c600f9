/**
 * Statistics of one ICMP probe from its per-packet round trips, in the order
 * sent; `null` is a packet that got no reply.
 */
export interface RoundTripStats {
  sent: number;
  received: number;
  lossRatio: number;
  /** Seconds; absent when nothing came back. */
  min?: number;
  avg?: number;
  max?: number;
  /**
   * Mean absolute difference between successive round trips (RFC 3550's
   * interarrival jitter without its 1/16 smoothing), seconds. Needs two replies.
   */
  jitter?: number;
}

export function roundTripStats(rttsMs: readonly (number | null)[]): RoundTripStats {
  const got = rttsMs.filter((r): r is number => r !== null);
  const sent = rttsMs.length;
  const stats: RoundTripStats = {
    sent,
    received: got.length,
    lossRatio: sent === 0 ? 1 : (sent - got.length) / sent,
  };
  if (got.length === 0) return stats;
  stats.min = Math.min(...got) / 1000;
  stats.max = Math.max(...got) / 1000;
  stats.avg = got.reduce((a, b) => a + b, 0) / got.length / 1000;
  if (got.length >= 2) {
    let sum = 0;
    for (let i = 1; i < got.length; i++) sum += Math.abs(got[i]! - got[i - 1]!);
    stats.jitter = sum / (got.length - 1) / 1000;
  }
  return stats;
}
