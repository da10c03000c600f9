import { NotificationGate, withStepRecorded, type NotificationConsumer } from './notification-gate.js';
import { slaNotification } from './notifications.js';
import { deliverOverdueOutbox } from './overdue-outbox.js';
import { monotonicOrigin, SlaClock, type SlaStep } from './sla-clock.js';
import type { Outage, StateStore } from './state/state-store.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

export interface SlaSweeperOptions {
  readonly store: StateStore;
  readonly notifier: NotificationConsumer;
  readonly clock: Clock;
  /** How often the open outages are read from the store, ms. */
  readonly every: number;
  readonly log?: Logger;
}

/**
 * SLA timers that survive the instance that opened the outage. The outage
 * ledger lives in the shared store; every instance reads the open outages
 * every `every` ms and, for each warning or breach that has fallen due and
 * is not yet recorded, claims the notification in the store and sends it
 * if the claim is won. The ids are the ones AlertKeeper's own SLA clocks
 * use (`outage:<id>:warn:<offset>`, `outage:<id>:breach`), so the opener,
 * while it lives, and every sweeper compete for one claim: one message.
 * A step is recorded on the outage whether this instance won the claim or
 * not, because the winner may have died between claiming and recording.
 * The same pass delivers overdue outbox entries (messages an instance
 * stored with their alert and died before queuing).
 */
export class SlaSweeper {
  private timer: TimerHandle | undefined;
  private running = false;
  private sweeping: Promise<void> = Promise.resolve();
  private readonly gate: NotificationGate;
  /** Monotonic reading at each open outage's start, as this instance first judged it (docs/time.md). */
  private readonly origins = new Map<string, number>();
  /** Notifications this sweeper sent (for logs and tests). */
  sent = 0;

  constructor(private readonly o: SlaSweeperOptions) {
    this.gate = new NotificationGate(o);
  }

  start(): void {
    this.running = true;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }

  /** One pass over the open outages, then the overdue outbox. */
  async sweep(): Promise<void> {
    const open = await this.o.store.openOutages();
    const { clock } = this.o;
    for (const id of this.origins.keys()) if (!open.some((x) => x.id === id)) this.origins.delete(id);
    for (const outage of open) {
      if (!this.origins.has(outage.id)) this.origins.set(outage.id, monotonicOrigin(clock, outage.startedAt));
      const elapsed = clock.monotonic() - this.origins.get(outage.id)!;
      for (const step of due(outage, outage.startedAt + elapsed)) await this.fire(outage, step, outage.startedAt + elapsed);
    }
    this.sent += await deliverOverdueOutbox(this.o.store, this.gate, this.o.clock.now(), this.o.log);
  }

  private async fire(outage: Outage, step: SlaStep, now: number): Promise<void> {
    if (await this.gate.pass(slaNotification(outage, step, now))) {
      this.sent++;
      this.o.log?.info({ outage: outage.id, service: outage.service, step: step.kind, offset: step.offset }, 'SLA step of an outage sent by the cluster sweeper');
    }
    // The store merges: recording a step never undoes another writer's.
    await this.o.store.putOutage(withStepRecorded(outage, step));
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.o.clock.setTimeout(() => {
      this.sweeping = this.sweep()
        .catch((err) => this.o.log?.warn({ err: errorMessage(err) }, 'SLA sweep failed; retrying at the next one'))
        .finally(() => this.schedule());
    }, this.o.every);
  }
}

/**
 * Steps of `o` due at `now` and not yet recorded, in time order. Restored
 * outages have none. `now` is on the outage's time line: its start plus
 * the real time since, so a wall clock jump does not make steps due.
 */
export function due(o: Outage, now: number): SlaStep[] {
  if (o.restoredAt !== undefined) return [];
  return SlaClock.steps(o).filter((s) => o.startedAt + s.offset <= now
    && (s.kind === 'breach' ? !o.breached : !o.warningsSent.includes(s.offset)));
}
