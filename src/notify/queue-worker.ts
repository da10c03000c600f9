import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { NotifyMetrics } from '../metrics/notify-metrics.js';
import type { ChannelSet } from './channels/channel-set.js';
import { DeliveryError, isRetryable, type DeliveryJob } from './delivery.js';
import type { JobQueue } from './queue/job-queue.js';

/**
 * Starts the queue's workers: each job goes to one recipient through the
 * channel its name means now, and every outcome is counted and logged.
 */
export async function startDelivery(queue: JobQueue, channels: ChannelSet, deps: { clock: Clock; logger: Logger; metrics: NotifyMetrics }): Promise<void> {
  const { clock, logger, metrics } = deps;
  const send = async (job: DeliveryJob): Promise<void> => {
    const sent = channels.send(job.channel, job.message, job.recipient);
    if (!sent) throw new DeliveryError(job.channel, false, `channel "${job.channel}" is no longer configured`);
    try {
      await sent;
    } catch (err) {
      throw err instanceof DeliveryError ? err : new DeliveryError(job.channel, isRetryable(err), errorMessage(err));
    }
    metrics.notifications.inc({ channel: job.channel, result: 'sent' });
    if (job.crossedAt !== undefined) {
      metrics.deliverySeconds.observe({ channel: job.channel }, Math.max(0, clock.now() - job.crossedAt) / 1000);
    }
  };
  await queue.start(send, {
    onRetry: (job, attempt, delay, error) => {
      metrics.notifications.inc({ channel: job.channel, result: 'retry' });
      logger.warn({ channel: job.channel, job: job.id, attempt, delay, error }, 'notification failed; will retry');
    },
    onDead: (letter) => {
      metrics.notifications.inc({ channel: letter.job.channel, result: 'failed' });
      metrics.deadLetters.inc({ channel: letter.job.channel });
      metrics.deadLetterSize.inc();
      logger.error({ channel: letter.job.channel, job: letter.job.id, attempts: letter.attempts, error: letter.error }, 'notification given up; kept in the dead letter');
    },
  });
}
