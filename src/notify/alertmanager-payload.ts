import type { Notification } from '../core/alert.js';
import { batchStatus, isResolved, type AlertBatch } from './batch.js';

/**
 * Alertmanager's webhook payload, version 4
 * (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config),
 * so receivers written for Alertmanager work unchanged. kpid's extra facts
 * (severity, value, SLA clock) travel as labels and annotations.
 */
export interface AlertmanagerPayload {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: AlertmanagerAlert[];
}

export interface AlertmanagerAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** Go's zero time, which Alertmanager sends as endsAt of a firing alert. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

export function alertmanagerPayload(batch: AlertBatch, externalUrl: string, maxAlerts = 0): AlertmanagerPayload {
  const all = batch.alerts.map((n) => toAlert(n, externalUrl));
  const alerts = maxAlerts > 0 ? all.slice(0, maxAlerts) : all;
  return {
    version: '4',
    groupKey: batch.groupKey,
    truncatedAlerts: all.length - alerts.length,
    status: batchStatus(batch),
    receiver: batch.receiver,
    groupLabels: { ...batch.groupLabels },
    commonLabels: common(all.map((a) => a.labels)),
    commonAnnotations: common(all.map((a) => a.annotations)),
    externalURL: externalUrl,
    alerts,
  };
}

function toAlert(n: Notification, externalUrl: string): AlertmanagerAlert {
  const annotations: Record<string, string> = { summary: n.summary, ...n.annotations, kind: n.kind };
  if (n.value !== undefined) annotations.value = String(n.value);
  if (n.threshold !== undefined) annotations.threshold = String(n.threshold);
  if (n.outage) {
    annotations.outage_id = n.outage.id;
    annotations.sla_remaining_seconds = String(Math.round(n.outage.remaining / 1000));
  }
  return {
    status: isResolved(n) ? 'resolved' : 'firing',
    labels: { ...n.labels, severity: n.labels.severity ?? n.severity, ...(n.kpi ? { kpi: n.kpi } : {}) },
    annotations,
    startsAt: new Date(n.startsAt).toISOString(),
    endsAt: n.endsAt !== undefined ? new Date(n.endsAt).toISOString() : ZERO_TIME,
    generatorURL: `${externalUrl}/api/v1/alerts`,
    fingerprint: n.fingerprint,
  };
}

function common(sets: Record<string, string>[]): Record<string, string> {
  if (!sets.length) return {};
  const out: Record<string, string> = { ...sets[0] };
  for (const s of sets.slice(1)) for (const k of Object.keys(out)) if (s[k] !== out[k]) delete out[k];
  return out;
}
