import type { Notification } from '../core/alert.js';
import { isResolved, type AlertBatch } from './batch.js';
import { isDownState, spoken, trueSince, where } from './wording.js';

/**
 * RFC 5322 §2.1.1 asks for header lines of at most 78 characters; a subject
 * that fits is never folded, and a phone's lock screen shows about as much.
 * Pieces are dropped in this order until it fits: the SLA note, the rule name.
 */
export const SUBJECT_MAX = 78;

const SEVERITY_SHORT = { critical: 'CRIT', warning: 'WARN', info: 'INFO' } as const;

/** `[CRIT] lab/lostdev down 29s — DeviceUnreachable (SLA 29m left)`: where first, then what and for how long. */
export function subjectLine(batch: AlertBatch, now: number): string {
  const first = batch.alerts.find((a) => !isResolved(a)) ?? batch.alerts[0]!;
  const tag = isResolved(first) ? 'OK' : SEVERITY_SHORT[first.severity];
  const more = batch.alerts.length > 1 ? ` +${batch.alerts.length - 1} more` : '';
  const head = `[${tag}]${first.kind === 'escalation' ? ' ESCALATED' : ''} ${where(first)} ${state(first, now)}${more}`;
  const rule = first.labels.alertname ?? '';
  const tail = sla(first, now);
  const candidates = [
    `${head} — ${rule}${tail ? ` (${tail})` : ''}`,
    `${head} — ${rule}`,
    tail ? `${head} (${tail})` : head,
    head,
  ];
  return candidates.find((c) => !c.endsWith('— ') && c.length <= SUBJECT_MAX) ?? shorten(head);
}

function state(n: Notification, now: number): string {
  const since = trueSince(n);
  const down = isDownState(n) || n.outage !== undefined;
  switch (n.kind) {
    case 'firing':
    case 'escalation': return `${down ? 'down' : 'out of target'} ${spoken(now - since)}`;
    case 'resolved': return `back after ${spoken((n.endsAt ?? now) - since)}`;
    case 'sla_warning': return `down ${spoken(now - since)}, SLA warning`;
    case 'sla_breach': return `down ${spoken(now - since)}, SLA missed`;
    case 'sla_restored': return `restored after ${spoken((n.endsAt ?? now) - since)}`;
    case 'flapping': return 'flapping, paused until stable';
    case 'flap_ended': return `stable again, ${n.endsAt !== undefined ? 'back' : down ? 'down' : 'out of target'}`;
  }
}

function sla(n: Notification, now: number): string {
  const o = n.outage;
  if (!o || n.kind === 'sla_restored') return '';
  if (n.kind === 'sla_breach' || o.remaining < 0) return `target ${spoken(o.recoveryTarget)}`;
  const left = o.startedAt + o.recoveryTarget - now;
  return `SLA ${spoken(left)} left`;
}

/** A very long place name: cut at a word boundary, never inside a word. */
function shorten(s: string): string {
  const cut = s.slice(0, SUBJECT_MAX - 1);
  const at = Math.max(cut.lastIndexOf(' '), cut.lastIndexOf('/'));
  return `${at > 10 ? cut.slice(0, at) : cut}…`;
}
