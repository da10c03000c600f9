import { Registry } from 'prom-client';
import type { Notification, NotificationKind } from '../core/alert.js';
import { FakeClock, flushMicrotasks } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { notifySchema, type NotifyConfigInput } from '../config/sections/notify.js';
import { defineNotifyMetrics } from '../metrics/notify-metrics.js';
import type { DeliveryError, Channel, RenderedMessage } from './delivery.js';
import { notifyOptions } from './notify-options.js';
import { Notifier } from './notifier.js';
import { MemoryJobQueue } from './queue/memory-queue.js';

/** Shared by the Notifier's unit tests: recording channels, a notification, a Notifier on a fake clock. */
export const T0 = Date.UTC(2026, 0, 1);

export class RecordingChannel implements Channel {
  readonly sent: { message: RenderedMessage; recipient: string; at: number }[] = [];
  failures: DeliveryError[] = [];
  constructor(readonly name: string, readonly type: Channel['type'], readonly recipients: string[], private readonly clock: FakeClock) {}
  async send(message: RenderedMessage, recipient: string): Promise<void> {
    const f = this.failures.shift();
    if (f) throw f;
    this.sent.push({ message, recipient, at: this.clock.now() });
  }
  async close(): Promise<void> {}
}

export function alert(fp: string, kind: NotificationKind = 'firing', extra: Partial<Notification> = {}): Notification {
  return {
    id: `${fp}:${kind}`,
    kind,
    fingerprint: fp,
    severity: 'critical',
    labels: { alertname: 'LinkDown', site: 'bj1', target: fp },
    annotations: {},
    summary: 'link down',
    value: 0,
    threshold: 1,
    startsAt: T0,
    crossedAt: T0,
    ...(kind === 'resolved' ? { endsAt: T0 + 1 } : {}),
    ...extra,
  };
}

/** The notify: section the tests start from (four channels, one route to mail), with `notify` over it. */
export function options(notify: Partial<NotifyConfigInput>) {
  return notifyOptions(notifySchema.parse({
    channels: {
      mail: { email: { smtp: { host: '127.0.0.1' }, from: 'kpid@example.net', to: ['noc@example.net'] } },
      sms: { sms: { http: { url: 'http://127.0.0.1:1/send' }, to: ['+8613800000001', '+8613800000002'] } },
      duty: { email: { smtp: { host: '127.0.0.1' }, from: 'kpid@example.net', to: ['duty@example.net'] } },
      boss: { email: { smtp: { host: '127.0.0.1' }, from: 'kpid@example.net', to: ['boss@example.net'] } },
    },
    routes: [{ match: {}, channels: ['mail'] }],
    ...notify,
  }));
}

export function setup(notify: Partial<NotifyConfigInput>, handedOver: string[] = []) {
  const clock = new FakeClock(T0);
  const cfg = options(notify);
  const channels = new Map<string, RecordingChannel>([
    ['mail', new RecordingChannel('mail', 'email', ['noc@example.net'], clock)],
    ['sms', new RecordingChannel('sms', 'sms', ['+8613800000001', '+8613800000002'], clock)],
    ['duty', new RecordingChannel('duty', 'email', ['duty@example.net'], clock)],
    ['boss', new RecordingChannel('boss', 'email', ['boss@example.net'], clock)],
  ]);
  const registry = new Registry();
  const metrics = defineNotifyMetrics(registry);
  const queue = new MemoryJobQueue(clock, { attempts: 4, backoff: { initial: 1_000, max: 10_000 }, random: () => 0 });
  const silenced = new Set<string>();
  const notifier = new Notifier(cfg, queue, channels, clock, silentLogger(), metrics, {
    isSilenced: (l) => silenced.has(l.target ?? ''), onHandedOver: (ids) => void handedOver.push(...ids),
  });
  const advance = async (ms: number) => {
    await clock.advanceAsync(ms, 100);
    await notifier.settled();
    await flushMicrotasks();
  };
  const subjects = (name: string) => channels.get(name)!.sent.map((s) => s.message.subject);
  return { clock, notifier, channels, queue, metrics, registry, advance, subjects, silenced };
}

