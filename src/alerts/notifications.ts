import { noLongerMonitored, type AlertTransition, type Notification } from '../core/alert.js';
import { formatDuration } from '../core/duration.js';
import type { SlaStep } from './sla-clock.js';
import type { Outage } from './state/state-store.js';

/**
 * The messages people get. Ids are deterministic (alert or outage, kind,
 * step, start time) so the store's exactly-once gate and notify's queue job
 * ids agree across restarts and cluster members.
 */
export function alertNotification(t: AlertTransition, evidenceSamples?: number): Notification | undefined {
  const kind = t.to === 'firing' ? 'firing' : t.to === 'resolved' && t.from === 'firing' ? 'resolved' : undefined;
  if (!kind) return undefined;
  const what = t.annotations.summary ?? describe(t);
  const noData = t.reason === 'no_data' && kind === 'firing' ? ' (no data)' : '';
  // Whoever got the page learns the alert ended because its rule or target left the config, not because it recovered.
  const removed = kind === 'resolved' && noLongerMonitored(t) ? ' (no longer monitored)' : '';
  return {
    id: alertNotificationId(t.fingerprint, t.activeAt, kind),
    kind,
    fingerprint: t.fingerprint,
    severity: t.severity,
    labels: t.labels,
    annotations: t.annotations,
    // Channels add the [FIRING]/[RESOLVED] word themselves; the summary says what.
    summary: `${t.rule}${noData}: ${what}${removed}`,
    ...(Number.isFinite(t.value) ? { value: t.value } : {}),
    ...(t.threshold !== undefined ? { threshold: t.threshold } : {}),
    ...(t.kpi !== undefined ? { kpi: t.kpi } : {}),
    startsAt: t.activeAt,
    ...(t.evidenceSince !== undefined && t.evidenceSince < t.activeAt ? { since: t.evidenceSince } : {}),
    ...(kind === 'firing' && evidenceSamples !== undefined && evidenceSamples > 1 ? { evidenceSamples } : {}),
    // On the time line of startsAt, so "back after" is the real duration across a clock jump.
    ...(kind === 'resolved' ? { endsAt: endOf(t) } : {}),
    // Delivery latency runs from the sample that crossed the line this
    // notification is about: back under it, for a resolution.
    crossedAt: kind === 'resolved' ? (t.clearedAt ?? t.at) : t.crossedAt,
  };
}

/**
 * The one message that says an alert is flapping: its state changes too
 * often to page on each; nothing more is sent until it is stable again.
 */
export function flappingNotification(t: AlertTransition, changes: string): Notification {
  return {
    ...alertBase(t, 'flapping', t.at),
    summary: `${t.rule}: flapping (${changes}); no more notifications until it is stable`,
    startsAt: t.at,
    crossedAt: t.at,
  };
}

/** The one message after a flap: stable again, and where the alert stands now (firing or resolved). */
export function flapEndedNotification(last: AlertTransition, flappingSince: number, now: number): Notification {
  const firing = last.to === 'firing';
  return {
    ...alertBase(last, 'flap_ended', flappingSince),
    summary: `${last.rule}: stable again, ${firing ? 'still firing' : 'resolved'}`,
    startsAt: flappingSince,
    ...(firing ? {} : { endsAt: now }),
    crossedAt: last.at,
  };
}

function alertBase(t: AlertTransition, kind: 'flapping' | 'flap_ended', at: number) {
  return {
    id: `alert:${t.fingerprint}:${at}:${kind}`,
    kind,
    fingerprint: t.fingerprint,
    severity: t.severity,
    labels: t.labels,
    annotations: t.annotations,
    ...(Number.isFinite(t.value) ? { value: t.value } : {}),
    ...(t.threshold !== undefined ? { threshold: t.threshold } : {}),
    ...(t.kpi !== undefined ? { kpi: t.kpi } : {}),
  };
}

/** The id of an alert's firing or resolved message: one per activation of the alert. */
export function alertNotificationId(fingerprint: string, activeAt: number, kind: 'firing' | 'resolved'): string {
  return `alert:${fingerprint}:${activeAt}:${kind}`;
}

/** When a resolved alert ended, on the time line of its start (a wall clock jump since it fired is taken out). */
function endOf(t: AlertTransition): number {
  const end = (t.clearedAt ?? t.at) - (t.clockShift ?? 0);
  return Number.isFinite(t.activeAt) ? Math.max(t.activeAt, end) : end;
}

function describe(t: AlertTransition): string {
  const where = t.labels.target ?? t.labels.scope ?? t.labels.site ?? '';
  return `${where} value ${round(t.value)} vs threshold ${t.threshold ?? '?'}`.trim();
}

export function slaNotification(o: Outage, step: SlaStep, now: number): Notification {
  const remaining = o.startedAt + o.recoveryTarget - now;
  const target = formatDuration(o.recoveryTarget);
  const summary = step.kind === 'warning'
    ? `SLA warning: ${o.service} down for ${formatDuration(step.offset)}; ${formatDuration(Math.max(0, o.recoveryTarget - step.offset))} left to the ${target} recovery target`
    : `SLA breached: ${o.service} not restored within ${target} (down since ${new Date(o.startedAt).toISOString()})`;
  return {
    ...base(o, step.kind === 'warning' ? 'sla_warning' : 'sla_breach',
      `outage:${o.id}:${step.kind === 'warning' ? `warn:${step.offset}` : 'breach'}`,
      step.kind === 'warning' ? 'warning' : 'critical', summary, remaining),
    crossedAt: o.startedAt + step.offset,
  };
}

export function restoredNotification(o: Outage): Notification {
  const duration = Math.max(0, o.restoredAt! - o.startedAt);
  const met = duration <= o.recoveryTarget;
  const summary = `${o.service} restored after ${formatDuration(Math.round(duration / 1000) * 1000)}; recovery target ${formatDuration(o.recoveryTarget)} ${met ? 'met' : 'missed'}`;
  return {
    ...base(o, 'sla_restored', `outage:${o.id}:restored`, met ? 'warning' : 'critical', summary, o.startedAt + o.recoveryTarget - o.restoredAt!),
    endsAt: o.restoredAt!,
    crossedAt: o.restoredAt!,
  };
}

/**
 * The alert's page carries the outage it opened or joined: the first page of
 * an outage states its recovery clock, and its since is the outage's start.
 */
export function withOutage(n: Notification, o: Outage, now: number): Notification {
  return { ...n, since: Math.min(n.since ?? n.startsAt, o.startedAt), outage: outageClock(o, o.startedAt + o.recoveryTarget - now) };
}

function outageClock(o: Outage, remaining: number): NonNullable<Notification['outage']> {
  return { id: o.id, service: o.service, startedAt: o.startedAt, recoveryTarget: o.recoveryTarget, warnAt: o.warnAt, remaining };
}

function base(o: Outage, kind: Notification['kind'], id: string, severity: Notification['severity'], summary: string, remaining: number): Notification {
  return {
    id,
    kind,
    fingerprint: o.id,
    severity,
    labels: { ...o.labels, severity },
    annotations: { summary },
    summary,
    startsAt: o.startedAt,
    crossedAt: o.startedAt,
    outage: outageClock(o, remaining),
  };
}

function round(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(4)) : v;
}
