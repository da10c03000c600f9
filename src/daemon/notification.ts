import type { NotificationConsumer } from '../alerts/notification-gate.js';
import type { KpidConfig } from '../config/load.js';
import type { Notification } from '../core/alert.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { NotifyMetrics } from '../metrics/notify-metrics.js';
import { createNotifier } from '../notify/create-notifier.js';
import { localUrlOf } from '../notify/links.js';
import type { Notifier } from '../notify/notifier.js';

export interface NotificationDeps {
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: NotifyMetrics;
  readonly isSilenced: (labels: Readonly<Record<string, string>>) => boolean;
  /** Where kpid really listens (port 0 resolved): ack lines name it when no public URL is set. */
  readonly listening: { readonly address: string; readonly port: number };
  /** Sees every notification as well as the channels (the demo prints them). */
  readonly onNotification?: (n: Notification) => void;
  /** Signs one-tap ack links (undefined until the state store gave the key). */
  readonly ackCode?: (id: string) => string | undefined;
  /** Told the ids of notifications notify queued or dropped (alerts' outbox forgets them). */
  readonly onHandedOver?: (ids: readonly string[]) => void;
}

/**
 * The notify stage: the Notifier when notify: has channels, and the consumer
 * alerts hands notifications to. Without channels a notification is logged.
 */
export class NotifyStage {
  private constructor(
    readonly consumer: NotificationConsumer,
    private readonly notifier: Notifier | undefined,
  ) {}

  static async start(config: KpidConfig, deps: NotificationDeps): Promise<NotifyStage> {
    let notifier: Notifier | undefined;
    if (config.notify) {
      const publicUrl = config.server.public_url ?? config.notify.external_url;
      const links = {
        localUrl: localUrlOf({ host: deps.listening.address, port: deps.listening.port }),
        ...(publicUrl ? { publicUrl } : {}), ...(deps.ackCode ? { ackCode: deps.ackCode } : {}),
      };
      notifier = createNotifier(config.notify, config.queue, {
        clock: deps.clock, logger: deps.log, metrics: deps.metrics, options: { isSilenced: deps.isSilenced, links, ...(deps.onHandedOver ? { onHandedOver: deps.onHandedOver } : {}) },
      });
      await notifier.start();
    }
    const consumer: NotificationConsumer = {
      deliver: (n) => {
        deps.onNotification?.(n);
        if (notifier) void notifier.deliver(n);
        else {
          deps.log.info({ kind: n.kind, severity: n.severity, labels: n.labels }, `notification (no notify channels configured): ${n.summary}`);
          deps.onHandedOver?.([n.id]);
        }
      },
    };
    return new NotifyStage(consumer, notifier);
  }

  /** Tells notify an alert was acknowledged (stops escalation); false when notify never heard of it. */
  ack(id: string, by: string): boolean {
    return this.notifier?.ack(id, by) ?? false;
  }

  async stop(): Promise<void> {
    await this.notifier?.close();
  }
}
