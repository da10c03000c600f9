import type { Outage } from '../alerts/state/state-store.js';
import type { FirstSeen } from './report-source.js';

/**
 * Since when a service was monitored, as far as kpid can prove it:
 * - `first_sample`: the first sample kpid stored of the service's target
 *   (its interface or probe when the outage names one), from the rollup's
 *   first_seen records in state.sqlite, written by the daemon that keeps
 *   the ledger;
 * - or the start of the service's first outage, if that is earlier (an
 *   outage needs samples; the ledger can predate first_seen after an
 *   upgrade);
 * - `unknown` when neither says anything before the period: the whole
 *   period is assumed, as a report without first_seen records always did.
 */
export interface MonitoredSince {
  readonly at: number;
  readonly basis: 'first_sample' | 'first_outage' | 'unknown';
}

export type MonitoredSinceOf = (service: string) => MonitoredSince;

export function monitoredSince(outages: readonly Outage[], seen: readonly FirstSeen[]): MonitoredSinceOf {
  const first = new Map(seen.map((s) => [`${s.target}\u0000${s.series}`, s.at]));
  const cache = new Map<string, MonitoredSince>();
  return (service) => {
    const hit = cache.get(service);
    if (hit) return hit;
    const own = outages.filter((o) => o.service === service);
    const firstOutage = Math.min(...own.map((o) => o.startedAt));
    const sampled = own.map((o) => firstSample(o.labels, first)).filter((t): t is number => t !== undefined);
    const sample = sampled.length ? Math.min(...sampled) : undefined;
    const since: MonitoredSince = sample !== undefined && sample <= firstOutage
      ? { at: sample, basis: 'first_sample' }
      : sample !== undefined ? { at: firstOutage, basis: 'first_outage' } : { at: -Infinity, basis: 'unknown' };
    cache.set(service, since);
    return since;
  };
}

/** The most specific record the outage's labels point at: its interface or probe, else its target. */
function firstSample(labels: Readonly<Record<string, string>>, first: ReadonlyMap<string, number>): number | undefined {
  const target = labels.target;
  if (!target) return undefined;
  const specific = labels.interface ? `interface=${labels.interface}` : labels.probe ? `probe=${labels.probe}` : undefined;
  return (specific !== undefined ? first.get(`${target}\u0000${specific}`) : undefined) ?? first.get(`${target}\u0000`);
}

/** The target a service's outages name, for grouping; the service itself when they name none. */
export function targetOfService(outages: readonly Outage[], service: string): string {
  return outages.find((o) => o.service === service && o.labels.target)?.labels.target ?? service;
}
