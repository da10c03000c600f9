import { KpidError } from '../core/errors.js';

/**
 * What crosses the queue: one message for one recipient on one channel.
 * Jobs are plain JSON so they survive a restart in Redis; the message is
 * rendered before it is queued, so a retry sends exactly what was decided.
 */
export interface DeliveryJob {
  /** Derived from (notifications, transition, channel, recipient): adding it twice sends once. */
  readonly id: string;
  readonly channel: string;
  readonly recipient: string;
  readonly message: RenderedMessage;
  /** Earliest threshold crossing among the alerts new in this message; absent for repeats. */
  readonly crossedAt?: number;
}

export interface RenderedMessage {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** Short form for SMS: severity, target, SLA time left. */
  readonly sms: string;
  /** Alertmanager webhook payload (version 4). */
  readonly webhook: unknown;
}

/** A channel: something that can hand a message to a server that accepts it. */
export interface Channel {
  readonly name: string;
  readonly type: 'email' | 'sms' | 'webhook';
  readonly recipients: readonly string[];
  /** Resolves once the far side accepted the message; throws DeliveryError otherwise. */
  send(message: RenderedMessage, recipient: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A send that failed. `retryable` is the channel's verdict: an SMTP 4xx, a
 * refused connection or a timeout may succeed later; an SMTP 5xx or an HTTP
 * 4xx will not, and is recorded in the dead letter at once.
 */
export class DeliveryError extends KpidError {
  constructor(
    readonly channel: string,
    readonly retryable: boolean,
    message: string,
    context: Readonly<Record<string, string | number>> = {},
  ) {
    super(retryable ? 'notify_retryable' : 'notify_permanent', message, { channel, ...context });
    this.name = 'DeliveryError';
  }
}

export function isRetryable(err: unknown): boolean {
  return err instanceof DeliveryError ? err.retryable : true;
}
