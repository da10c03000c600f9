import type { Notification, NotificationKind } from '../core/alert.js';
import { formatDuration } from '../core/duration.js';
import { alertmanagerPayload } from './alertmanager-payload.js';
import { batchStatus, isResolved, type AlertBatch } from './batch.js';
import type { RenderedMessage } from './delivery.js';

/**
 * What on-call staff read. Every alert states what, where, since when, the
 * value against its target, the SLA clock of its outage, and how to ack.
 */
export interface RenderOptions {
  readonly externalUrl: string;
  readonly now: number;
  /** Webhook payload truncation (notify.channels.*.webhook.max_alerts); 0 keeps all. */
  readonly maxAlerts?: number;
}

const KIND_WORD: Record<NotificationKind, string> = {
  firing: 'FIRING',
  resolved: 'RESOLVED',
  sla_warning: 'SLA WARNING',
  sla_breach: 'SLA BREACHED',
  sla_restored: 'SERVICE RESTORED',
  escalation: 'ESCALATED',
};

const SEVERITY_SHORT = { critical: 'CRIT', warning: 'WARN', info: 'INFO' } as const;

/** The labels that say where a problem is, most specific last. */
const WHERE_LABELS = ['site', 'target', 'device', 'instance', 'interface', 'probe', 'service'];

export function render(batch: AlertBatch, opts: RenderOptions): RenderedMessage {
  const firing = batch.alerts.filter((a) => !isResolved(a));
  const first = batch.alerts[0]!;
  const word = KIND_WORD[first.kind];
  const more = batch.alerts.length > 1 ? ` (+${batch.alerts.length - 1} more)` : '';
  const subject = `[${batchStatus(batch) === 'firing' ? word : 'RESOLVED'}] ${first.severity}: ${first.summary} at ${where(first)}${more}`;
  const blocks = batch.alerts.map((a) => alertLines(a, opts));
  const header = [
    batch.note,
    firing.length ? `${firing.length} firing` : undefined,
    batch.alerts.length - firing.length ? `${batch.alerts.length - firing.length} resolved` : undefined,
  ].filter(Boolean).join(' · ');
  const text = [header, '', ...blocks.map((lines) => lines.map(([k, v]) => `${(k + ':').padEnd(8)}${v}`).join('\n')).join('\n\n').split('\n'), '', `-- kpid ${opts.externalUrl}`].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<p><b>${esc(header)}</b></p>`,
    ...blocks.map((lines) => `<table style="border-collapse:collapse;margin-bottom:1em">${lines.map(([k, v]) => `<tr><th style="text-align:left;padding-right:1em">${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`),
    `<p style="color:#666">kpid ${esc(opts.externalUrl)}</p></body></html>`,
  ].join('\n');
  return {
    subject,
    text,
    html,
    sms: smsText(batch, opts.now),
    webhook: alertmanagerPayload(batch, opts.externalUrl, opts.maxAlerts ?? 0),
  };
}

function alertLines(n: Notification, opts: RenderOptions): [string, string][] {
  const lines: [string, string][] = [
    ['Status', `${KIND_WORD[n.kind]} (${n.severity})`],
    ['What', n.summary + (n.labels.alertname ? ` [${n.labels.alertname}]` : '')],
    ['Where', where(n)],
    ['Since', `${iso(n.startsAt)} (${formatDuration(seconds((n.endsAt ?? opts.now) - n.startsAt))}${n.endsAt ? ' in all' : ' ago'})`],
  ];
  if (n.endsAt !== undefined) lines.push(['Ended', iso(n.endsAt)]);
  if (n.value !== undefined) {
    const target = n.threshold !== undefined ? ` against target ${fmt(n.threshold)}` : '';
    lines.push(['Value', `${fmt(n.value)}${target}${n.kpi ? ` (KPI ${n.kpi})` : ''}`]);
  }
  if (n.outage) lines.push(['SLA', slaLine(n)]);
  if (!isResolved(n)) {
    lines.push(['Ack', `curl -X POST -H "Authorization: Bearer $KPID_API_TOKEN" ${opts.externalUrl}/api/v1/alerts/${n.fingerprint}/ack`]);
  }
  return lines;
}

function slaLine(n: Notification): string {
  const o = n.outage!;
  const target = formatDuration(o.recoveryTarget);
  const clock = o.remaining >= 0
    ? `${formatDuration(seconds(o.remaining))} left of the ${target} recovery target`
    : `recovery target ${target} missed by ${formatDuration(seconds(-o.remaining))}`;
  return `${o.service}: ${clock} (outage ${o.id} since ${iso(o.startedAt)})`;
}

/**
 * The SMS: severity, where, what, value, SLA time left, the ack id. One line,
 * no decoration; the first 160 characters carry the essentials.
 */
export function smsText(batch: AlertBatch, now: number): string {
  const parts = batch.alerts.slice(0, 3).map((n) => {
    const bits = [
      isResolved(n) ? 'OK' : SEVERITY_SHORT[n.severity],
      n.kind === 'firing' || n.kind === 'resolved' ? undefined : KIND_WORD[n.kind],
      where(n),
      n.summary,
      n.value !== undefined ? `${fmt(n.value)}${n.threshold !== undefined ? ` vs ${fmt(n.threshold)}` : ''}` : undefined,
      n.outage ? (n.outage.remaining >= 0 ? `SLA ${formatDuration(seconds(n.outage.remaining))} left` : `SLA missed ${formatDuration(seconds(-n.outage.remaining))}`) : undefined,
      isResolved(n) ? `after ${formatDuration(seconds((n.endsAt ?? now) - n.startsAt))}` : `ack ${n.fingerprint.slice(0, 12)}`,
    ];
    return bits.filter(Boolean).join(' ');
  });
  const rest = batch.alerts.length > 3 ? ` | +${batch.alerts.length - 3} more` : '';
  return (batch.note ? `${batch.note}: ` : '') + parts.join(' | ') + rest;
}

export function where(n: Notification): string {
  const parts = WHERE_LABELS.map((k) => n.labels[k]).filter((v): v is string => !!v);
  return parts.length ? [...new Set(parts)].join('/') : 'kpid';
}

/** Whole seconds: people do not need milliseconds of an outage. */
function seconds(ms: number): number {
  return Math.max(0, Math.round(ms / 1000) * 1000);
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The one message a flooded SMS recipient gets per storm window. */
export function renderStormSummary(held: readonly AlertBatch[], windowMs: number, opts: RenderOptions): RenderedMessage {
  const alerts = held.flatMap((b) => b.alerts);
  const firing = alerts.filter((a) => !isResolved(a));
  const count = (sev: string) => firing.filter((a) => a.severity === sev).length;
  const places = [...new Set(firing.map(where))];
  const sms =
    `kpid storm: ${held.length} more messages in ${formatDuration(windowMs)}: ` +
    `${count('critical')} CRIT ${count('warning')} WARN firing, ${alerts.length - firing.length} resolved` +
    (places.length ? ` at ${places.slice(0, 4).join(', ')}${places.length > 4 ? ` +${places.length - 4}` : ''}` : '') +
    ` | ${opts.externalUrl}/api/v1/alerts`;
  const batch: AlertBatch = { receiver: 'storm', groupKey: 'storm', groupLabels: {}, alerts, repeat: 0, note: sms };
  const full = render({ ...batch, alerts: alerts.length ? alerts : [] }, opts);
  return { ...full, subject: sms, sms };
}
