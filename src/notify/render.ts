import type { Notification, NotificationKind } from '../core/alert.js';
import { alertmanagerPayload } from './alertmanager-payload.js';
import { isResolved, type AlertBatch } from './batch.js';
import type { RenderedMessage } from './delivery.js';
import { ackInstruction, ackLink, apiBase, type Links } from './links.js';
import { subjectLine } from './render-subject.js';
import { smsText } from './render-sms.js';
import { clock, isDownState, minutesList, spoken, trueSince, valuePhrase, where } from './wording.js';

/**
 * What on-call staff read at 3 a.m. Every alert says where, what (in the
 * catalogue's words), since when it truly began, the SLA clock of its
 * outage, who is paged next and when, and how to ack from where they are.
 */
export interface RenderOptions {
  readonly links: Links;
  readonly now: number;
  /** Webhook payload truncation (notify.channels.*.webhook.max_alerts); 0 keeps all. */
  readonly maxAlerts?: number;
}

export const KIND_WORD: Record<NotificationKind, string> = {
  firing: 'FIRING',
  resolved: 'RESOLVED',
  sla_warning: 'SLA WARNING',
  sla_breach: 'SLA BREACHED',
  sla_restored: 'RESTORED',
  escalation: 'ESCALATED',
  flapping: 'FLAPPING',
  flap_ended: 'STABLE AGAIN',
};

const SEVERITY_COLOUR = { critical: '#b00020', warning: '#a15c00', info: '#1d4ed8' } as const;


/** `href`: the value is a link to open (the one-tap ack link). */
type Line = readonly [label: string, value: string, href?: string];
interface Block { readonly headline: string; readonly colour: string; readonly lines: readonly Line[] }

export function render(batch: AlertBatch, opts: RenderOptions): RenderedMessage {
  const blocks = batch.alerts.map((n) => alertBlock(n, batch, opts));
  const header = groupHeader(batch);
  const text = [
    ...(header ? [header, ''] : []),
    ...blocks.flatMap((b) => [b.headline, ...b.lines.map(([k, v]) => `  ${(k + ':').padEnd(7)} ${v}`), '']),
    `-- kpid ${apiBase(opts.links)}`,
  ].join('\n');
  return {
    subject: subjectLine(batch, opts.now),
    text,
    html: html(header, blocks, opts),
    sms: smsText(batch, opts),
    webhook: alertmanagerPayload(batch, apiBase(opts.links), opts.maxAlerts ?? 0),
  };
}

/** Above a group's alerts: why this message (escalation, breach) and how many fire. */
function groupHeader(batch: AlertBatch): string | undefined {
  const firing = batch.alerts.filter((a) => !isResolved(a)).length;
  const resolved = batch.alerts.length - firing;
  const counts = batch.alerts.length > 1
    ? [firing ? `${firing} firing` : '', resolved ? `${resolved} resolved` : ''].filter(Boolean).join(', ') +
      (batch.groupLabels && Object.keys(batch.groupLabels).length ? ` (${Object.values(batch.groupLabels).join('/')})` : '')
    : '';
  const parts = [batch.note, counts].filter(Boolean);
  return parts.length ? parts.join(' · ') : undefined;
}

function alertBlock(n: Notification, batch: AlertBatch, opts: RenderOptions): Block {
  const { now, links } = opts;
  const since = trueSince(n);
  const lines: Line[] = [['Where', where(n)]];
  const value = valuePhrase(n);
  if (value) lines.push(['What', value]);
  lines.push(['Alert', n.summary]);
  lines.push(['Since', sinceLine(n, since, now)]);
  const sla = slaLine(n, now);
  if (sla) lines.push(['SLA', sla]);
  const next = nextLine(n, batch, now);
  if (next) lines.push(['Next', next]);
  if (!isResolved(n)) {
    const link = ackLink(n.fingerprint, links);
    const ack = ackInstruction(n.fingerprint, links);
    lines.push(link ? ['Ack', `${link} (opens a page to confirm)`, link] : ['Ack', `${ack.where}${ack.command}`]);
  }
  const outageId = n.outage ? `outage ${n.outage.id}` : '';
  lines.push(['Id', n.fingerprint === n.outage?.id ? outageId : [`alert ${n.fingerprint}`, outageId].filter(Boolean).join(', ')]);
  return { headline: headline(n, since, now), colour: isResolved(n) ? '#1b7f3b' : SEVERITY_COLOUR[n.severity], lines };
}

function headline(n: Notification, since: number, now: number): string {
  const w = where(n);
  const sev = n.severity.toUpperCase();
  const down = isDownState(n) || n.outage !== undefined;
  switch (n.kind) {
    case 'firing': return `${sev}: ${w} ${down ? 'is down' : 'is out of target'}`;
    case 'escalation': return `ESCALATED (${sev}): ${w} ${down ? 'is down' : 'is out of target'}, nobody has acknowledged it`;
    case 'resolved': return `RESOLVED: ${w} ${down ? 'is back' : 'is back within target'} after ${spoken((n.endsAt ?? now) - since)}`;
    case 'sla_warning': return `SLA WARNING: ${w} down ${spoken(now - since)}, ${spoken(n.outage?.remaining ?? 0)} left to restore`;
    case 'sla_breach': return `SLA BREACHED: ${w} not restored within ${spoken(n.outage?.recoveryTarget ?? 0)}`;
    case 'sla_restored': return `RESTORED: ${w} back after ${spoken((n.endsAt ?? now) - since)}`;
    case 'flapping': return `FLAPPING (${sev}): ${w} keeps changing state; no more messages until it is stable`;
    case 'flap_ended': return n.endsAt !== undefined
      ? `STABLE AGAIN: ${w} ${down ? 'is back' : 'is back within target'}, no longer flapping`
      : `STABLE AGAIN (${sev}): ${w} ${down ? 'is down' : 'is out of target'}, no longer flapping`;
  }
}

function sinceLine(n: Notification, since: number, now: number): string {
  if (n.kind === 'flapping') return `flapping since ${clock(n.startsAt, now)}`;
  if (n.kind === 'flap_ended') return `flapped from ${clock(n.startsAt, now)}, stable since ${clock(n.crossedAt, now)}`;
  if (n.endsAt !== undefined) return `${clock(since, now)} until ${clock(n.endsAt, now)} (${spoken(n.endsAt - since)} in all)`;
  const why = since < n.startsAt
    ? ` (${isDownState(n) || n.outage ? 'first failed poll' : 'first sample out of target'}; alert fired ${clock(n.startsAt, now)})`
    : '';
  return `${clock(since, now)}, ${spoken(now - since)} ago${why}`;
}

/** The outage's recovery clock: how long is left, the deadline, and the warnings to expect. */
function slaLine(n: Notification, now: number): string | undefined {
  const o = n.outage;
  if (!o) return undefined;
  const deadline = clock(o.startedAt + o.recoveryTarget, now);
  const target = `${Math.round(o.recoveryTarget / 60_000)} min`;
  if (n.kind === 'sla_restored') {
    return `${o.service} restored after ${spoken((n.endsAt ?? now) - o.startedAt)}; recovery target ${target} ${o.remaining >= 0 ? 'met' : 'missed'}`;
  }
  if (o.remaining < 0 || n.kind === 'sla_breach') {
    return `${o.service}: recovery target ${target} missed at ${deadline}; ${spoken(-o.remaining)} over and counting`;
  }
  const warnings = (o.warnAt ?? []).filter((w) => w < o.recoveryTarget);
  const left = `${target} to restore, by ${deadline} (${spoken(o.remaining)} left)`;
  const later = warnings.filter((w) => o.startedAt + w > now);
  return `${o.service}: ${left}${warnings.length ? `; warnings at ${minutesList(warnings)}` : ''}` +
    (n.kind === 'sla_warning' && later.length ? `, next at ${clock(o.startedAt + later[0]!, now)}` : '');
}

function nextLine(n: Notification, batch: AlertBatch, now: number): string | undefined {
  if (isResolved(n)) return undefined;
  const next = batch.next;
  if (next) {
    const who = next.who.join(', ');
    return next.unless === 'acked'
      ? `if nobody acks by ${clock(next.at, now)} (in ${spoken(next.at - now)}), ${who} ${next.who.length > 1 ? 'are' : 'is'} paged`
      : `if not restored by ${clock(next.at, now)} (in ${spoken(next.at - now)}), ${who} ${next.who.length > 1 ? 'are' : 'is'} told of the breach`;
  }
  if (n.kind === 'escalation') return 'this is the last tier of the escalation ladder';
  if (n.kind === 'sla_breach') return 'the managers\' tier is told now; keep working the outage and ack it';
  return undefined;
}

function html(header: string | undefined, blocks: readonly Block[], opts: RenderOptions): string {
  const cell = 'padding:2px 8px 2px 0;vertical-align:top';
  return [
    '<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"></head>',
    '<body style="margin:0;padding:12px;font-family:-apple-system,Segoe UI,Roboto,sans-serif;font-size:15px;line-height:1.4;color:#111">',
    ...(header ? [`<p style="margin:0 0 12px"><b>${esc(header)}</b></p>`] : []),
    ...blocks.map((b) => [
      `<div style="border-left:4px solid ${b.colour};padding-left:10px;margin-bottom:16px;max-width:640px">`,
      `<p style="margin:0 0 6px;font-size:17px;font-weight:bold;color:${b.colour}">${esc(b.headline)}</p>`,
      '<table role="presentation" style="border-collapse:collapse;width:100%;table-layout:fixed">',
      '<colgroup><col style="width:4.5em"><col></colgroup>',
      ...b.lines.map(([k, v, href]) => `<tr><th style="${cell};text-align:left;color:#555;font-weight:normal">${esc(k)}</th>` +
        `<td style="${cell};overflow-wrap:anywhere;word-break:break-word">${href ? linkCell(href) : k === 'Ack' ? `<code style="font-size:13px">${esc(v)}</code>` : esc(v)}</td></tr>`),
      '</table></div>',
    ].join('\n')),
    `<p style="color:#666;font-size:13px">kpid ${esc(apiBase(opts.links))}</p></body></html>`,
  ].join('\n');
}

/** The one-tap link as a word to tap, and written out for mail clients that strip links; the curl command stays code to copy. */
function linkCell(href: string): string {
  return `<a href="${esc(href)}" style="font-weight:bold">Acknowledge</a> <span style="color:#555">(opens a page to confirm): ${esc(href)}</span>`;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

