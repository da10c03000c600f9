import type { Notification } from '../../core/alert.js';
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { EscalationOptions } from '../notify-options.js';

export interface EscalationStep {
  readonly alert: Notification;
  readonly ladder: string;
  /** 0-based step of the ladder. */
  readonly step: number;
  readonly after: number;
  readonly channels: readonly string[];
}

interface Climb {
  alert: Notification;
  readonly timers: TimerHandle[];
}

/**
 * Who hears next when nobody acks: each step of a ladder fires `after` its
 * time since the alert was first notified, unless the alert was acked or
 * resolved first. An ack stops every ladder of that alert.
 */
export class EscalationLadders {
  private readonly climbs = new Map<string, Climb>();
  private readonly acked = new Map<string, string>();

  constructor(
    private readonly clock: Clock,
    private readonly onStep: (step: EscalationStep) => void,
  ) {}

  /** Starts `ladder` for the alert, once: later calls only refresh the alert shown. */
  start(alert: Notification, name: string, ladder: EscalationOptions): void {
    const key = `${alert.fingerprint}\u0000${name}`;
    const existing = this.climbs.get(key);
    if (existing) {
      existing.alert = alert;
      return;
    }
    if (this.acked.has(alert.fingerprint) || !ladder.steps.length) return;
    const climb: Climb = { alert, timers: [] };
    ladder.steps.forEach((s, i) => {
      climb.timers.push(
        this.clock.setTimeout(() => {
          if (this.acked.has(alert.fingerprint)) return;
          this.onStep({ alert: climb.alert, ladder: name, step: i, after: s.after, channels: s.channels });
        }, s.after),
      );
    });
    this.climbs.set(key, climb);
  }

  /** Stops escalation of the alert. Returns false when the alert is not being escalated nor known. */
  ack(fingerprint: string, by: string): boolean {
    const had = this.stop(fingerprint);
    this.acked.set(fingerprint, by);
    return had;
  }

  ackedBy(fingerprint: string): string | undefined {
    return this.acked.get(fingerprint);
  }

  /** The alert resolved: its ladders stop and its ack is forgotten (a new firing starts afresh). */
  resolved(fingerprint: string): void {
    this.stop(fingerprint);
    this.acked.delete(fingerprint);
  }

  close(): void {
    for (const c of this.climbs.values()) for (const t of c.timers) this.clock.clearTimeout(t);
    this.climbs.clear();
  }

  private stop(fingerprint: string): boolean {
    let had = false;
    for (const [key, c] of this.climbs) {
      if (!key.startsWith(`${fingerprint}\u0000`)) continue;
      for (const t of c.timers) this.clock.clearTimeout(t);
      this.climbs.delete(key);
      had = true;
    }
    return had;
  }
}
