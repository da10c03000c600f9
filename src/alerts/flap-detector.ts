import type { AlertTransition } from '../core/alert.js';

/**
 * Flap detection as Nagios and Icinga operators know it, counted in state
 * changes over a sliding time window rather than in percent of checks: the
 * keeper sees transitions, not every evaluation. Every transition counts
 * (pending, firing, resolved, back to inactive), so a rule whose `for:`
 * keeps it pending a while is seen flapping all the same. Hysteresis: an
 * alert starts flapping above `startAbove` changes in the window and stops
 * only when fewer than `stopBelow` remain in it.
 */
export interface FlapThresholds {
  /** The window changes are counted over, ms. Default 30 min. */
  readonly window: number;
  /** More changes than this in the window: flapping. Default 4: a rule with `for:` that fires a second time in the window flaps (pending, firing, resolved, pending, firing). */
  readonly startAbove: number;
  /** Fewer changes than this in the window: stable again. Default 2. */
  readonly stopBelow: number;
}

export const DEFAULT_FLAP_THRESHOLDS: FlapThresholds = { window: 30 * 60_000, startAbove: 4, stopBelow: 2 };

interface Series {
  changes: number[];
  flapping?: { since: number; announced: boolean };
  last: AlertTransition;
}

/** A flap that ended: the transition that left the alert where it stands now. */
export interface FlapEnded {
  readonly since: number;
  readonly announced: boolean;
  readonly last: AlertTransition;
}

export class FlapDetector {
  private readonly series = new Map<string, Series>();

  constructor(private readonly t: FlapThresholds = DEFAULT_FLAP_THRESHOLDS) {}

  /** Counts a transition; true when its alert is flapping now (this change included). */
  observe(tr: AlertTransition): boolean {
    if (tr.reason === 'rule_removed') {
      this.series.delete(tr.fingerprint);
      return false;
    }
    const s = this.series.get(tr.fingerprint) ?? { changes: [], last: tr };
    s.changes.push(tr.at);
    s.last = tr;
    this.trim(s, tr.at);
    if (!s.flapping && s.changes.length > this.t.startAbove) s.flapping = { since: tr.at, announced: false };
    this.series.set(tr.fingerprint, s);
    return s.flapping !== undefined;
  }

  /** Whether its flapping was already announced; marks it announced. */
  announce(fingerprint: string): boolean {
    const f = this.series.get(fingerprint)?.flapping;
    if (!f || f.announced) return false;
    f.announced = true;
    return true;
  }

  /** Ends the flaps that have calmed down by `now`, and forgets series with no change left in the window. */
  sweep(now: number): FlapEnded[] {
    const ended: FlapEnded[] = [];
    for (const [fp, s] of this.series) {
      this.trim(s, now);
      if (s.flapping && s.changes.length < this.t.stopBelow) {
        ended.push({ since: s.flapping.since, announced: s.flapping.announced, last: s.last });
        delete s.flapping;
      }
      if (!s.flapping && !s.changes.length) this.series.delete(fp);
    }
    return ended;
  }

  isFlapping(fingerprint: string): boolean {
    return this.series.get(fingerprint)?.flapping !== undefined;
  }

  /** How many alerts are flapping now, by severity of their last transition: for kpid_alerts{state="flapping"}. */
  counts(): { state: 'flapping'; severity: string; count: number }[] {
    const by = new Map<string, number>();
    for (const s of this.series.values()) if (s.flapping) by.set(s.last.severity, (by.get(s.last.severity) ?? 0) + 1);
    return [...by].map(([severity, count]) => ({ state: 'flapping' as const, severity, count }));
  }

  private trim(s: Series, now: number): void {
    const from = now - this.t.window;
    while (s.changes.length && s.changes[0]! <= from) s.changes.shift();
  }
}
