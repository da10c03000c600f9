import type { Notification } from '../core/alert.js';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { SlaStep } from './sla-clock.js';
import type { Outage, StateStore } from './state/state-store.js';

/** What src/notify offers: takes a notification and owns its delivery from then on. */
export interface NotificationConsumer {
  /** May return a promise (notify's Notifier queues asynchronously); a rejection is logged, never thrown. */
  deliver(n: Notification): void | Promise<void>;
}

export interface NotificationGateOptions {
  readonly store: StateStore;
  readonly notifier: NotificationConsumer;
  readonly clock: Clock;
  readonly log?: Logger;
}

/**
 * The one way a notification leaves alerts: claim its id in the state store,
 * and deliver it only if this caller won the claim. The store's claim is
 * what makes "sent once" hold across restarts and cluster members, for the
 * alert runtime and the cluster's SLA sweeper alike.
 */
export class NotificationGate {
  constructor(private readonly o: NotificationGateOptions) {}

  /**
   * Resolves to whether this caller won the claim (and so handed `n` to
   * notify). `claim` is the id claimed, `n.id` unless a second, separate
   * delivery of `n` is meant (a late one from the outbox).
   */
  async pass(n: Notification, claim = n.id): Promise<boolean> {
    if (!(await this.o.store.claimNotification(claim, this.o.clock.now()))) return false;
    // Not awaited: store writes must not queue behind delivery.
    Promise.resolve(this.o.notifier.deliver(n)).catch((err) => {
      this.o.log?.error({ err: errorMessage(err), notification: n.id }, 'notify refused a notification');
    });
    return true;
  }
}

/** `outage` with an SLA step recorded as sent: the breach flag, or the warning's offset (kept sorted). */
export function withStepRecorded(outage: Outage, step: SlaStep): Outage {
  return step.kind === 'breach'
    ? { ...outage, breached: true }
    : { ...outage, warningsSent: [...outage.warningsSent, step.offset].sort((a, b) => a - b) };
}
