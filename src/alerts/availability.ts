import type { Outage } from './state/state-store.js';

/**
 * Availability of one service over a period, from the outage ledger:
 * (period − planned − unplanned downtime) ÷ (period − planned). Planned
 * maintenance is taken out of both sides and reported apart, so a planned
 * window neither counts against the 99.9 % nor dilutes it. Overlapping
 * outages count once; an open outage counts until `to`.
 */
export interface AvailabilityFigures {
  readonly service: string;
  readonly from: number;
  readonly to: number;
  /** 0–1; 1 when nothing unplanned happened. */
  readonly availability: number;
  readonly unplannedDowntimeSeconds: number;
  readonly plannedDowntimeSeconds: number;
  readonly unplannedOutages: number;
  readonly plannedOutages: number;
}

export function availability(outages: readonly Outage[], service: string, from: number, to: number): AvailabilityFigures {
  const mine = outages.filter((o) => o.service === service && o.startedAt < to && (o.restoredAt ?? Infinity) > from);
  const clip = (o: Outage): [number, number] => [Math.max(o.startedAt, from), Math.min(o.restoredAt ?? to, to)];
  const planned = mine.filter((o) => o.planned).map(clip);
  const plannedUnion = merge(planned);
  // Unplanned time that falls inside a planned window is planned.
  const unplanned = subtract(merge(mine.filter((o) => !o.planned).map(clip)), plannedUnion);
  const plannedMs = total(plannedUnion);
  const unplannedMs = total(unplanned);
  const measured = to - from - plannedMs;
  return {
    service, from, to,
    availability: measured > 0 ? (measured - unplannedMs) / measured : 1,
    unplannedDowntimeSeconds: unplannedMs / 1000,
    plannedDowntimeSeconds: plannedMs / 1000,
    unplannedOutages: mine.filter((o) => !o.planned).length,
    plannedOutages: planned.length,
  };
}

export const DAY = 86_400_000;

/** The rolling 30 days ending at `now`, and the calendar month (UTC) to date. */
export function availabilityPeriods(now: number): { rolling30d: [number, number]; month: [number, number] } {
  const d = new Date(now);
  return { rolling30d: [now - 30 * DAY, now], month: [Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), now] };
}

type Span = [number, number];

function merge(spans: Span[]): Span[] {
  const sorted = spans.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
    else out.push([s[0], s[1]]);
  }
  return out;
}

function subtract(spans: Span[], holes: Span[]): Span[] {
  let out = spans;
  for (const [ha, hb] of holes) {
    out = out.flatMap(([a, b]): Span[] => {
      if (hb <= a || ha >= b) return [[a, b]];
      return [[a, Math.min(b, ha)], [Math.max(a, hb), b]].filter(([x, y]) => y! > x!) as Span[];
    });
  }
  return out;
}

function total(spans: Span[]): number {
  return spans.reduce((s, [a, b]) => s + (b - a), 0);
}
