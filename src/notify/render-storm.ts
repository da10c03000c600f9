import { isResolved, type AlertBatch } from './batch.js';
import type { RenderedMessage } from './delivery.js';
import { apiBase } from './links.js';
import { render, type RenderOptions } from './render.js';
import { where } from './wording.js';
import { fits } from './render-sms.js';
import { spoken } from './wording.js';

/**
 * The one message a flooded recipient gets per storm window instead of one
 * per alert: how many, which rules, which sites, and where the full list is.
 * Exported for the storm guard (src/notify/storm-guard.ts) as well as the
 * SMS storm gate.
 */
/** Alerts written out in a storm summary's email; the rest are counted and linked. */
export const STORM_ALERTS_SHOWN = 10;

export function renderStormSummary(held: readonly AlertBatch[], windowMs: number, opts: RenderOptions): RenderedMessage {
  const alerts = held.flatMap((b) => b.alerts);
  const firing = alerts.filter((a) => !isResolved(a));
  const count = (sev: string) => firing.filter((a) => a.severity === sev).length;
  const byRule = tally(firing.map((a) => a.labels.alertname ?? a.kind));
  const bySite = tally(firing.map((a) => a.labels.site ?? where(a)));
  const list = `${apiBase(opts.links)}/api/v1/alerts`;
  const counts = `${count('critical')} CRIT, ${count('warning')} WARN firing, ${alerts.length - firing.length} resolved`;
  const subject = `[STORM] ${alerts.length} alerts in ${spoken(windowMs)} at ${bySite.length} site${bySite.length === 1 ? '' : 's'} — summary`;
  const top = (t: [string, number][], n: number) => t.slice(0, n).map(([k, c]) => `${k} ${c}`).join(', ') + (t.length > n ? `, +${t.length - n} more` : '');
  const note = `Alert storm: ${alerts.length} alerts in ${held.length} messages within ${spoken(windowMs)} (${counts}). ` +
    `By rule: ${top(byRule, 6)}. By site: ${top(bySite, 6)}. Messages per alert resume when the storm is over; full list: ${list}`;
  const candidates = [
    `kpid STORM: ${alerts.length} alerts in ${spoken(windowMs)}: ${counts}. Sites: ${top(bySite, 3)}. Rules: ${top(byRule, 2)}. List: ${list}`,
    `kpid STORM: ${alerts.length} alerts in ${spoken(windowMs)}: ${counts}. Sites: ${top(bySite, 3)}. List: ${list}`,
    `kpid STORM: ${alerts.length} alerts in ${spoken(windowMs)}: ${counts}. List: ${list}`,
    `kpid STORM: ${alerts.length} alerts, ${counts}`,
  ];
  const sms = candidates.find(fits) ?? candidates.at(-1)!;
  // The alerts themselves follow the summary, most severe first, so the email is the full list too.
  // The most severe alerts follow the summary; the rest are one link away, not a scroll of hundreds.
  const ordered = [...firing].sort((a, b) => rankSeverity(a.severity) - rankSeverity(b.severity));
  const shown = [...ordered, ...alerts.filter(isResolved)].slice(0, STORM_ALERTS_SHOWN);
  const rest = alerts.length - shown.length;
  const batch: AlertBatch = {
    receiver: 'storm', groupKey: 'storm', groupLabels: {}, alerts: shown, repeat: 0,
    note: rest ? `${note}\nThe first ${shown.length} follow; ${rest} more at ${list}` : note,
  };
  const full = render(batch, opts);
  return { ...full, subject, sms };
}

function tally(keys: readonly string[]): [string, number][] {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function rankSeverity(s: string): number {
  return s === 'critical' ? 0 : s === 'warning' ? 1 : 2;
}
