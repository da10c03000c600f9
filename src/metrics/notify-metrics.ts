import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Metrics of alert delivery (src/notify); the first two are SPEC.md's contract. */
export function defineNotifyMetrics(registry: Registry) {
  const r = [registry];
  /** Set by the Notifier's builder: where the backlog gauge reads its value at scrape time. */
  const backlogSource: { read?: () => Promise<number> } = {};
  return {
    backlogSource,
    notifications: new Counter({
      name: 'kpid_notifications_total',
      help: 'Delivery attempts by channel and result: sent (accepted by the server), retry (failed, will be retried), failed (given up: permanent error or out of attempts), suppressed (held by storm control for a summary).',
      labelNames: ['channel', 'result'] as const,
      registers: r,
    }),
    deliverySeconds: new Histogram({
      name: 'kpid_alert_delivery_seconds',
      help: 'Time from the sample that crossed the threshold to the channel accepting the notification, in seconds.',
      labelNames: ['channel'] as const,
      buckets: [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 15, 20, 30, 60, 120, 300, 900],
      registers: r,
    }),
    deadLetters: new Counter({
      name: 'kpid_notify_dead_letters_total',
      help: 'Notifications given up on (kept in the dead letter), by channel.',
      labelNames: ['channel'] as const,
      registers: r,
    }),
    deadLetterSize: new Gauge({
      name: 'kpid_notify_dead_letters',
      help: 'Notifications in the dead letter now.',
      registers: r,
    }),
    queueBacklog: new Gauge({
      name: 'kpid_notify_queue_backlog',
      help: 'Notifications queued and not yet delivered nor dead (waiting, delayed for retry, or in flight).',
      registers: r,
      async collect() {
        if (backlogSource.read) this.set(await backlogSource.read().catch(() => 0));
      },
    }),
    queueRecoveries: new Counter({
      name: 'kpid_notify_queue_recoveries_total',
      help: 'Times the delivery worker was restarted because it had stalled (for example after a Redis restart).',
      registers: r,
    }),
    smsReceipts: new Counter({
      name: 'kpid_sms_delivery_receipts_total',
      help: 'SMSC delivery receipts received, by channel and final state (DELIVRD, UNDELIV, EXPIRED, ...).',
      labelNames: ['channel', 'stat'] as const,
      registers: r,
    }),
  };
}

export type NotifyMetrics = ReturnType<typeof defineNotifyMetrics>;
