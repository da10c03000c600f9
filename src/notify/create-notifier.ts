import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { NotifyMetrics } from '../metrics/notify-metrics.js';
import { buildChannels } from './channels/build-channels.js';
import { Notifier } from './notifier.js';
import type { NotifierOptions } from './notify-options.js';
import type { NotifyOptions } from './notify-options.js';
import type { JobQueue } from './queue/job-queue.js';
import { MemoryJobQueue } from './queue/memory-queue.js';

export type QueueConfig = { driver: 'memory' } | { driver: 'bullmq'; redis: string; prefix: string };

/** Builds the Notifier the daemon runs: channels from notify's options, the queue from `queue:`. */
export async function createNotifier(
  notify: NotifyOptions,
  queueCfg: QueueConfig,
  deps: { clock: Clock; logger: Logger; metrics: NotifyMetrics; options?: NotifierOptions },
): Promise<Notifier> {
  const { clock, logger, metrics } = deps;
  const retry = { attempts: notify.retry.attempts, backoff: { initial: notify.retry.initial, max: notify.retry.max } };
  // bullmq (and its Redis client) is imported only for `queue: { driver: bullmq }`.
  const queue: JobQueue =
    queueCfg.driver === 'bullmq'
      ? new (await import('./queue/bullmq-queue.js')).BullMqJobQueue({ redis: queueCfg.redis, prefix: queueCfg.prefix, ...retry, onRecovery: () => metrics.queueRecoveries.inc() }, clock, logger.child({ component: 'notify-queue' }))
      : new MemoryJobQueue(clock, retry);
  metrics.backlogSource.read = () => queue.backlog();
  const channels = buildChannels(notify.channels, clock, logger.child({ component: 'notify' }), metrics);
  return new Notifier(notify, queue, channels, clock, logger.child({ component: 'notify' }), metrics, deps.options);
}
