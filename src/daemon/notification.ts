import type { NotificationConsumer } from '../alerts/notification-gate.js';
import type { KpidConfig } from '../config/load.js';
import { notifySchema } from '../config/sections/notify.js';
import type { Notification } from '../core/alert.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { NotifyMetrics } from '../metrics/notify-metrics.js';
import { localUrlOf } from '../notify/links.js';
import { notifyOptions } from '../notify/notify-options.js';
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
 * A reload applies channels, routes, escalations and storm limits to the
 * running Notifier (nothing queued is lost or sent twice); `queue:` and
 * notify.retry apply at the next restart.
 */
export class NotifyStage {
  readonly consumer: NotificationConsumer;
  private notifier: Notifier | undefined;
  private notify: KpidConfig['notify'];

  private constructor(private readonly deps: NotificationDeps, private readonly config: KpidConfig) {
    this.notify = config.notify;
    this.consumer = {
      deliver: (n) => {
        deps.onNotification?.(n);
        if (this.notifier && this.notify) void this.notifier.deliver(n);
        else {
          deps.log.info({ kind: n.kind, severity: n.severity, labels: n.labels }, `notification (no notify channels configured): ${n.summary}`);
          deps.onHandedOver?.([n.id]);
        }
      },
    };
  }

  static async start(config: KpidConfig, deps: NotificationDeps): Promise<NotifyStage> {
    const stage = new NotifyStage(deps, config);
    if (config.notify) await stage.startNotifier(config.notify);
    return stage;
  }

  /** Applies a reloaded notify: section. */
  async reload(next: KpidConfig): Promise<void> {
    if (JSON.stringify(next.notify) === JSON.stringify(this.notify)) return;
    const options = notifyOptions(next.notify ?? notifySchema.parse({}));
    if (!this.notifier) {
      if (next.notify) await this.startNotifier(next.notify);
    } else {
      const { buildChannels } = await import('../notify/channels/build-channels.js');
      this.notifier.reconfigure(options, (channels) => buildChannels(channels, this.deps.clock, this.deps.log.child({ component: 'notify' }), this.deps.metrics));
    }
    if (JSON.stringify(next.notify?.retry) !== JSON.stringify(this.notify?.retry)) {
      this.deps.log.warn({ section: 'notify.retry' }, 'notify.retry changed; it takes effect at the next restart');
    }
    this.notify = next.notify;
  }

  /** Tells notify an alert was acknowledged (stops escalation); false when notify never heard of it. */
  ack(id: string, by: string): boolean {
    return this.notifier?.ack(id, by) ?? false;
  }

  async stop(): Promise<void> {
    await this.notifier?.close();
  }

  private async startNotifier(notify: NonNullable<KpidConfig['notify']>): Promise<void> {
    const { deps, config } = this;
    const publicUrl = config.server.public_url ?? notify.external_url;
    const links = {
      localUrl: localUrlOf({ host: deps.listening.address, port: deps.listening.port }),
      ...(publicUrl ? { publicUrl } : {}), ...(deps.ackCode ? { ackCode: deps.ackCode } : {}),
    };
    // Imported here: the channels' clients and the queue are loaded only when notify: is set.
    const { createNotifier } = await import('../notify/create-notifier.js');
    const notifier = await createNotifier(notifyOptions(notify), config.queue, {
      clock: deps.clock, logger: deps.log, metrics: deps.metrics, options: { isSilenced: deps.isSilenced, links, ...(deps.onHandedOver ? { onHandedOver: deps.onHandedOver } : {}) },
    });
    await notifier.start();
    this.notifier = notifier;
  }
}
