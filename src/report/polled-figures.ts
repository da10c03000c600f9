import type { PolledSeries, ReadingStats } from './report-source.js';

/** One day of one polled series, as the rollup keeps it (bins: utilisation only, counts per whole percent). */
export interface PolledDay extends ReadingStats {
  readonly day: number;
  readonly kpi: string;
  readonly target: string;
  readonly series: string;
  readonly sent: number;
  readonly lost: number;
  readonly bins?: ReadonlyMap<number, number>;
}

/**
 * The figure a polled series stands for: utilisation as its 95th
 * percentile (`p95`, from the source), loss as packets lost ÷ sent over
 * every probe, the rest (round trip, jitter, error ratios) as the mean of
 * the readings.
 */
export function polledFigure(kpi: string, r: { sum: number; count: number; sent: number; lost: number }, p95?: number): number {
  if (kpi === 'bandwidth_utilisation' && p95 !== undefined) return p95;
  if (kpi === 'packet_loss' && r.sent > 0) return r.lost / r.sent;
  // Ten readings of 0.1 % add up to a hair over 1 %: a mean exactly on its target must not fail by a rounding error.
  return Number((r.sum / r.count).toPrecision(12));
}

/**
 * The 95th percentile by nearest rank (the smallest value with at least
 * 95 % of the readings at or below it) of readings kept as counts per bin,
 * bin k holding ((k−1) %, k %]: the bin's upper edge.
 */
export function p95OfBins(bins: ReadonlyMap<number, number>): number | undefined {
  const total = [...bins.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const rank = Math.ceil(0.95 * total);
  let seen = 0;
  for (const bin of [...bins.keys()].sort((a, b) => a - b)) {
    seen += bins.get(bin)!;
    if (seen >= rank) return bin / 100;
  }
  return undefined;
}

/** The rollup's days folded into one series per KPI, target and series name. */
export function polledFromDays(rows: readonly PolledDay[]): PolledSeries[] {
  const groups = new Map<string, PolledDay[]>();
  for (const r of rows) {
    const key = `${r.kpi}\u0000${r.target}\u0000${r.series}`;
    const list = groups.get(key);
    if (list) list.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.values()].map((days) => {
    days.sort((a, b) => a.day - b.day);
    const { kpi, target, series } = days[0]!;
    const total = {
      sum: days.reduce((s, d) => s + d.sum, 0), count: days.reduce((s, d) => s + d.count, 0),
      sent: days.reduce((s, d) => s + d.sent, 0), lost: days.reduce((s, d) => s + d.lost, 0),
    };
    const bins = new Map<number, number>();
    for (const d of days) for (const [b, n] of d.bins ?? []) bins.set(b, (bins.get(b) ?? 0) + n);
    return {
      kpi, target, series,
      value: polledFigure(kpi, total, p95OfBins(bins)),
      readings: {
        count: total.count, sum: total.sum,
        min: Math.min(...days.map((d) => d.min)), max: Math.max(...days.map((d) => d.max)), last: days[days.length - 1]!.last,
      },
      days: days.map((d) => ({ day: d.day, value: polledFigure(kpi, d, d.bins ? p95OfBins(d.bins) : undefined) })),
    };
  }).sort((a, b) => cmp(a.kpi, b.kpi) || cmp(a.target, b.target) || cmp(a.series, b.series));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
