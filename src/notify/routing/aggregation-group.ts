import type { Notification } from '../../core/alert.js';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { isResolved } from '../batch.js';

export interface GroupTiming {
  /** First notification of a new group waits this long for company, ms. */
  readonly groupWait: number;
  /** Minimum time between notifications of a group that changed, ms. */
  readonly groupInterval: number;
  /** Unchanged but still firing: resend after this long, ms. */
  readonly repeat: number;
}

export interface GroupFlush {
  /** Every firing alert of the group, then those resolved since the last flush. */
  readonly alerts: Notification[];
  /** Alerts whose state is new to the people told: the start of delivery latency. */
  readonly changed: Notification[];
  /** 0 for a flush with news, 1, 2, ... for unchanged resends. */
  readonly repeat: number;
}

/**
 * One group of alerts on one route, with Alertmanager's timing: the first
 * notification after group_wait, changes at most every group_interval, an
 * unchanged firing group again after repeat. A resolved alert is announced
 * only if its firing was; one that resolves before it was told is dropped.
 */
export class AggregationGroup {
  private readonly alerts = new Map<string, Notification>();
  /** What people were last told about each fingerprint. */
  private readonly told = new Map<string, 'firing'>();
  private timer?: TimerHandle;
  private timerAt = Infinity;
  /** Monotonic, like timerAt: a wall clock step must not hold a group's messages back (docs/time.md). */
  private lastFlush?: number;
  private repeats = 0;

  constructor(
    private readonly clock: Clock,
    private readonly timing: GroupTiming,
    private readonly onFlush: (flush: GroupFlush) => void,
  ) {}

  /** True when nothing is firing and nothing is left to announce. */
  get idle(): boolean {
    return this.alerts.size === 0 && this.timer === undefined;
  }

  /** Whether people were told this alert is firing (so its resolution must reach them). */
  wasTold(fingerprint: string): boolean {
    return this.told.has(fingerprint);
  }

  insert(n: Notification): void {
    if (isResolved(n) && !this.told.has(n.fingerprint)) {
      this.alerts.delete(n.fingerprint);
      if (this.alerts.size === 0) this.cancel();
      return;
    }
    this.alerts.set(n.fingerprint, n);
    const first = this.lastFlush === undefined;
    const now = this.clock.monotonic();
    this.scheduleAt(first ? now + this.timing.groupWait : Math.max(now, this.lastFlush! + this.timing.groupInterval));
  }

  cancel(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private scheduleAt(at: number): void {
    if (this.timer && this.timerAt <= at) return;
    this.cancel();
    this.timerAt = at;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.flush();
    }, at - this.clock.monotonic());
  }

  private flush(): void {
    const now = this.clock.monotonic();
    const all = [...this.alerts.values()];
    const firing = all.filter((n) => !isResolved(n));
    const resolved = all.filter((n) => isResolved(n));
    const changed = [...firing.filter((n) => !this.told.has(n.fingerprint)), ...resolved];
    if (changed.length) this.repeats = 0;
    else if (firing.length && now - (this.lastFlush ?? now) >= this.timing.repeat) this.repeats++;
    else {
      if (firing.length) this.scheduleAt((this.lastFlush ?? now) + this.timing.repeat);
      return;
    }
    this.lastFlush = now;
    for (const n of firing) this.told.set(n.fingerprint, 'firing');
    for (const n of resolved) {
      this.told.delete(n.fingerprint);
      this.alerts.delete(n.fingerprint);
    }
    this.onFlush({ alerts: [...firing, ...resolved], changed, repeat: this.repeats });
    if (firing.length) this.scheduleAt(now + this.timing.repeat);
  }
}
