import type { Clock, TimerHandle } from '../../core/clock.js';
import type { AlertBatch } from '../batch.js';

export interface StormOptions {
  /** Sliding window, ms. */
  readonly window: number;
  /** Messages per recipient per window before summaries take over. */
  readonly maxMessages: number;
}

interface Recipient {
  /** Monotonic times of the messages sent in the window. */
  sent: number[];
  held: AlertBatch[];
  timer?: TimerHandle;
}

/**
 * Storm control for SMS: a phone that already got `maxMessages` in the
 * last `window` gets no more single messages; what would have been sent is
 * held and summarised in one message at the end of the window.
 */
export class StormGate {
  private readonly recipients = new Map<string, Recipient>();

  constructor(
    private readonly clock: Clock,
    private opts: StormOptions,
    private readonly onSummary: (channel: string, recipient: string, held: AlertBatch[], windowStart: number) => void,
  ) {}

  /** The window of the summaries, ms. */
  get window(): number {
    return this.opts.window;
  }

  /** New limits from a reload; they apply from the next message on. */
  configure(opts: StormOptions): void {
    this.opts = opts;
  }

  /** True: send `batch` now. False: it is held for the summary. */
  admit(channel: string, recipient: string, batch: AlertBatch): boolean {
    const key = `${channel}\u0000${recipient}`;
    // The rate is counted on the monotonic clock (a wall clock step neither frees nor holds a recipient); the summary names a wall time.
    const now = this.clock.monotonic();
    const windowStart = this.clock.now();
    const r = this.recipients.get(key) ?? { sent: [], held: [] };
    this.recipients.set(key, r);
    r.sent = r.sent.filter((t) => t > now - this.opts.window);
    if (r.sent.length < this.opts.maxMessages && !r.held.length) {
      r.sent.push(now);
      return true;
    }
    r.held.push(batch);
    r.timer ??= this.clock.setTimeout(() => {
      const held = r.held;
      r.held = [];
      r.timer = undefined;
      r.sent.push(this.clock.monotonic());
      this.onSummary(channel, recipient, held, windowStart);
    }, this.opts.window);
    return false;
  }

  close(): void {
    for (const r of this.recipients.values()) if (r.timer) this.clock.clearTimeout(r.timer);
    this.recipients.clear();
  }
}
