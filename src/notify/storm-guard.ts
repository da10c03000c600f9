import type { Notification, NotificationKind } from '../core/alert.js';
import type { Clock, TimerHandle } from '../core/clock.js';

export interface StormGuardOptions {
  /** More alert state changes than this within one minute is a storm. Default 200. */
  readonly maxChanges: number;
  /** While a storm lasts, each channel gets one summary per this window, ms. Default 60 s. */
  readonly interval: number;
}

/** What one channel is told at the end of one window of a storm. */
export interface StormSummary {
  readonly channel: string;
  /** The alerts whose change of state was held in this window, in arrival order. */
  readonly alerts: readonly Notification[];
  readonly windowStart: number;
  readonly windowEnd: number;
  /** True for the last summary: the storm is over and per-alert delivery resumes. */
  readonly last: boolean;
}

const MINUTE = 60_000;

const HELD_IN_STORM: ReadonlySet<NotificationKind> = new Set(['sla_restored', 'flapping', 'flap_ended']);

/**
 * The global storm guard (issue 19 §5): when more than `max_changes` alerts
 * change state within one minute, no channel gets one message per alert.
 * Every channel gets one summary per `interval` of what it would have been
 * sent, until a window closes with `max_changes` or fewer changes in the
 * minute before it: that window's summary is the last, and per-alert
 * delivery resumes.
 *
 * It sits after grouping: changes are counted as they arrive (`recordChange`)
 * so the storm starts at the change that tips it over, and group flushes are
 * held (`hold`) from then on, including the alerts that arrived just before
 * and were still in their group_wait. What was already handed to a channel
 * before the storm started stays sent.
 */
export class StormGuard {
  /** Times of the state changes of the last minute, oldest first. */
  private changes: number[] = [];
  private storming = false;
  private windowStart = 0;
  private timer?: TimerHandle;
  /** Channel → the changes held for it this window, one per alert and kind. */
  private readonly held = new Map<string, Map<string, Notification>>();

  constructor(
    private readonly clock: Clock,
    private opts: StormGuardOptions,
    private readonly onSummary: (s: StormSummary) => void,
  ) {}

  /** Whether a storm is on now. */
  get active(): boolean {
    return this.storming;
  }

  /** New limits from a reload; they apply from the next change on. */
  configure(opts: StormGuardOptions): void {
    this.opts = opts;
  }

  /** Counts one alert state change (a firing or resolved notification); may start a storm. */
  recordChange(): void {
    // Changes per minute are counted on the monotonic clock: a wall clock step neither starts nor ends a storm.
    const now = this.clock.monotonic();
    this.changes.push(now);
    this.forget(now);
    if (!this.storming && this.changes.length > this.opts.maxChanges) {
      this.storming = true;
      this.windowStart = this.clock.now();
      this.timer = this.clock.setTimeout(() => this.closeWindow(), this.opts.interval);
    }
  }

  /**
   * True: the channels' messages for these alerts are held for the storm
   * summary (only alerts whose state is news are listed; an unchanged
   * reminder is dropped). False: deliver them as usual.
   */
  hold(channels: readonly string[], changed: readonly Notification[]): boolean {
    if (!this.storming) return false;
    for (const c of channels) {
      const list = this.held.get(c) ?? new Map<string, Notification>();
      for (const n of changed) list.set(`${n.fingerprint}/${n.kind}`, n);
      this.held.set(c, list);
    }
    return true;
  }

  /**
   * An immediate message in a storm: restorations and flap notices join the
   * summary as alert changes do (a storm of devices going and coming back
   * mailed one "restored" each: the storm bench, docs/PERFORMANCE.md). SLA
   * warnings, breaches and escalations are duties: they still go out.
   */
  holdImmediate(channels: readonly string[], n: Notification): boolean {
    return HELD_IN_STORM.has(n.kind) && this.hold(channels, [n]);
  }

  close(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.held.clear();
    this.storming = false;
  }

  private forget(now: number): void {
    let i = 0;
    while (i < this.changes.length && this.changes[i]! <= now - MINUTE) i++;
    if (i) this.changes = this.changes.slice(i);
  }

  private closeWindow(): void {
    this.forget(this.clock.monotonic());
    const now = this.clock.now();
    const last = this.changes.length <= this.opts.maxChanges;
    const start = this.windowStart;
    const held = [...this.held];
    this.held.clear();
    if (last) {
      this.storming = false;
      this.timer = undefined;
    } else {
      this.windowStart = now;
      this.timer = this.clock.setTimeout(() => this.closeWindow(), this.opts.interval);
    }
    for (const [channel, alerts] of held) {
      if (alerts.size) this.onSummary({ channel, alerts: [...alerts.values()], windowStart: start, windowEnd: now, last });
    }
  }
}
