import { formatDuration } from '../core/duration.js';
import { alertmanagerPayload } from './alertmanager-payload.js';
import { isResolved } from './batch.js';
import type { RenderedMessage } from './delivery.js';
import type { StormSummary } from './storm-guard.js';

export interface StormSummaryOptions {
  /** Where people reach kpid's API; the summary links to `${externalUrl}/api/v1/alerts`. */
  readonly externalUrl: string;
  /** Webhook payload truncation (notify.channels.*.webhook.max_alerts); 0 keeps all. */
  readonly maxAlerts: number;
}

/**
 * The one message a channel gets per window of an alert storm: how many
 * alerts fired and resolved, counted by rule and by site, and the link to
 * the full list. Counts, not alerts: three hundred blocks help nobody.
 */
export function renderStormSummary(s: StormSummary, opts: StormSummaryOptions): RenderedMessage {
  const firing = s.alerts.filter((a) => !isResolved(a)).length;
  const resolved = s.alerts.length - firing;
  const byRule = tally(s.alerts.map((a) => a.labels.alertname ?? 'unnamed'));
  const bySite = tally(s.alerts.map((a) => a.labels.site ?? '(no site)'));
  const link = `${opts.externalUrl}/api/v1/alerts`;
  const span = formatDuration(Math.max(1000, Math.round((s.windowEnd - s.windowStart) / 1000) * 1000));
  const headline = `kpid alert storm: ${s.alerts.length} alert changes in ${span} (${firing} firing, ${resolved} resolved)`;
  const tail = s.last ? 'The storm is over: alerts are sent one by one again.' : 'One summary per channel per window while the storm lasts.';
  const table = (title: string, rows: [string, number][]) => [`${title}:`, ...rows.map(([k, n]) => `  ${String(n).padStart(5)}  ${k}`)];
  const text = [headline, '', ...table('By rule', byRule), '', ...table('By site', bySite), '', `Full list: ${link}`, tail].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<p><b>${esc(headline)}</b></p>`,
    ...[['By rule', byRule], ['By site', bySite]].map(([title, rows]) =>
      `<h4>${title}</h4><table>${(rows as [string, number][]).map(([k, n]) => `<tr><td style="text-align:right;padding-right:1em">${n}</td><td>${esc(k)}</td></tr>`).join('')}</table>`),
    `<p><a href="${esc(link)}">Full list of alerts</a></p><p style="color:#666">${esc(tail)}</p></body></html>`,
  ].join('\n');
  const top = byRule.slice(0, 3).map(([k, n]) => `${n} ${k}`).join(', ');
  const sms = `kpid storm: ${s.alerts.length} changes in ${span}: ${top}${byRule.length > 3 ? ` +${byRule.length - 3} rules` : ''} at ${bySite.length} sites | ${link}`;
  const webhook = alertmanagerPayload(
    { receiver: 'storm', groupKey: `storm:${s.windowStart}`, groupLabels: {}, alerts: s.alerts, repeat: 0, note: headline },
    opts.externalUrl, opts.maxAlerts,
  );
  return { subject: headline, text, html, sms, webhook };
}

/** Counts per key, largest first, then by name. */
function tally(keys: readonly string[]): [string, number][] {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
