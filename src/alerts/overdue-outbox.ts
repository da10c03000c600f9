import type { Logger } from '../core/logger.js';
import type { NotificationGate } from './notification-gate.js';
import type { OutboxEntry, StateStore, StoredAlert } from './state/state-store.js';

/**
 * Delivers the outbox entries whose writer should long have handed them to
 * notify's queue and did not: it died in between (issue 14 §6). Any
 * instance may run this; the claim `outbox:<id>` lets one of them deliver
 * each entry. A firing message is delivered only while its alert still
 * fires (the same activation): one resolved since has nothing to announce.
 * Returns how many this caller delivered.
 */
export async function deliverOverdueOutbox(store: StateStore, gate: NotificationGate, now: number, log?: Logger): Promise<number> {
  const overdue = await store.overdueOutbox(now);
  if (!overdue.length) return 0;
  const alerts = await store.listAlerts();
  let sent = 0;
  for (const entry of overdue) {
    const n = entry.notification;
    if (stillWanted(entry, alerts) && (await gate.pass(n, `outbox:${n.id}`))) {
      sent++;
      log?.warn({ notification: n.id, kind: n.kind, dueAt: entry.dueAt }, 'delivered a notification its writer left in the outbox (it stopped before queuing it)');
    }
    await store.removeOutbox(n.id);
  }
  return sent;
}

function stillWanted({ notification: n }: OutboxEntry, alerts: readonly StoredAlert[]): boolean {
  if (n.kind !== 'firing') return true;
  return alerts.some((a) => a.fingerprint === n.fingerprint && a.state === 'firing' && a.activeAt === n.startsAt);
}
