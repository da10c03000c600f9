import type { AlertState, AlertTransition, Severity } from '../core/alert.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import { PeriodicSweep } from '../core/periodic-sweep.js';
import { ClockJumpWatch } from '../core/clock-jumps.js';
import { shiftTimes } from './clock-step.js';
import type { Sample } from '../core/sample.js';
import { createEngineState, evaluate, forgetSeries, restoreAlert, tick, type EngineState } from './engine.js';
import type { CompiledRule } from './rule.js';
import { forgetSilentSeries } from './silent-series.js';
import { scopeText } from './scope-text.js';
import { valueAt } from './series-alert.js';
import { ReadingMarks } from './reading-marks.js';
import type { RuleMemory } from '../core/rule-memory.js';
import { exportModels, importModels } from './model-memory.js';

/** An alert that was pending or firing elsewhere (the store, another instance): what it takes to carry it on here. */
export interface KnownAlert {
  readonly fingerprint: string;
  readonly rule: string;
  readonly series: string;
  readonly state: AlertState;
  readonly severity: Severity;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly value?: number | null;
  readonly activeAt: number;
  readonly crossedAt: number;
}

export interface RuleRunnerOptions {
  readonly clock: Clock;
  readonly rules: readonly CompiledRule[];
  /** Where transitions go (src/alerts); called synchronously, in the order they happened. */
  readonly onTransitions: (transitions: readonly AlertTransition[]) => void;
  /**
   * How long the series of an alert put back at a start or a handover is
   * kept if no sample of it comes, ms: the longest series lifetime the
   * config gives. Default: for ever.
   */
  readonly restoredLifetime?: number;
  /** Where trend and baseline rules keep what they learnt across restarts (the state store); none: memory only. */
  readonly memory?: RuleMemory;
  /** How often changed models are saved, ms (default 10 minutes); also at stop. */
  readonly saveEvery?: number;
  /** A save that failed (the next one tries again). */
  readonly onSaveError?: (err: Error) => void;
}

/** Saved models not touched for this long (a series gone, a rule removed) are forgotten: longer than any baseline's weeks. */
const FORGET_AFTER = 13 * 7 * 86_400_000;

/**
 * The rules stage as a pipeline sink: it owns the engine state, runs the
 * rules as samples arrive and runs `for`, `keep_firing_for`, `clear.for`
 * and `no_data` on the injected clock, at the engine's next deadline.
 * Nothing else calls the engine; what comes out is AlertTransition[].
 * Series silent for their lifetime are forgotten by a periodic sweep
 * (silent-series.ts).
 */
export class RuleRunner {
  readonly name = 'rules';
  private engine: EngineState;
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;
  private running = false;
  private readonly sweep: PeriodicSweep;
  private readonly jumps: ClockJumpWatch;
  private saveTimer: TimerHandle | undefined;
  private readonly marks = new ReadingMarks();

  constructor(private readonly o: RuleRunnerOptions) {
    this.engine = createEngineState(o.rules);
    this.sweep = new PeriodicSweep(o.clock, (now) => this.forgetSilent(now));
    this.jumps = new ClockJumpWatch(o.clock);
  }

  /** Series the engine keeps now (each with its windows and alert entries). */
  get seriesCount(): number {
    return this.engine.series.size;
  }

  get rules(): readonly CompiledRule[] {
    return this.engine.rules;
  }

  start(): void {
    this.running = true;
    this.sweep.start();
    this.reschedule();
    this.scheduleSave();
  }

  stop(): void {
    this.running = false;
    this.sweep.stop();
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.saveTimer !== undefined) this.o.clock.clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
  }

  /** Loads what the trend and baseline rules had learnt before a restart. Returns how many series' models came back. */
  async resumeMemory(): Promise<number> {
    if (!this.o.memory) return 0;
    return importModels(this.engine, await this.o.memory.ruleMemory());
  }

  /** Saves the trend and baseline models changed since the last save. */
  async saveMemory(): Promise<void> {
    if (!this.o.memory) return;
    const now = this.o.clock.now();
    await this.o.memory.saveRuleMemory(exportModels(this.engine), now, now - FORGET_AFTER);
  }

  /** `lifetime`: how long these series live without a sample, ms; for ever when not given (derived readings). */
  write(samples: readonly Sample[], lifetime = Infinity): void {
    this.followClockJump();
    const { transitions } = evaluate(this.engine, samples, this.o.clock.now(), lifetime);
    this.sweep.note(lifetime);
    if (transitions.length) this.o.onTransitions(transitions);
    this.schedule();
  }

  /** Puts back an alert pending or firing before a restart or a handover, so it is not announced again. */
  restore(alert: KnownAlert): boolean {
    return restoreAlert(this.engine, alert.rule, alert.series, alert, this.restoredUntil());
  }

  /** Restored alerts may move the next deadline earlier: look again. */
  reschedule(): void {
    this.timerAt = Infinity;
    this.schedule();
  }

  /** Drops, with no transitions, every series whose tags `gone` selects (its target moved to another instance). */
  forget(gone: (tags: Readonly<Record<string, string>>) => boolean): void {
    forgetSeries(this.engine, gone);
  }

  /**
   * Swaps in a new rule set (the loader has already validated it). Alerts
   * in `carried` whose rule still exists carry over without being announced
   * again; the others resolve with reason `rule_removed`.
   */
  replaceRules(rules: readonly CompiledRule[], carried: readonly KnownAlert[]): void {
    const next = createEngineState(rules);
    // What trend and baseline rules learnt carries over to the same rule in the new set.
    importModels(next, exportModels(this.engine, true).map((m) => [m.key, m.body] as const));
    const now = this.o.clock.now();
    const gone = carried.filter((a) => !restoreAlert(next, a.rule, a.series, a, this.restoredUntil())).map((a) => noLongerMonitored(a, now, 'rule_removed'));
    this.engine = next;
    if (gone.length) this.o.onTransitions(gone);
    this.reschedule();
  }

  /**
   * Targets left the config: every series whose tags `gone` selects is
   * dropped, and the alerts in `carried` on those targets resolve with
   * reason `target_removed` (no longer monitored).
   */
  retireTargets(gone: (tags: Readonly<Record<string, string>>) => boolean, carried: readonly KnownAlert[]): void {
    const now = this.o.clock.now();
    forgetSeries(this.engine, gone);
    const ended = carried.filter((a) => gone(a.labels)).map((a) => noLongerMonitored(a, now, 'target_removed'));
    if (ended.length) this.o.onTransitions(ended);
    this.reschedule();
  }

  /**
   * What the rules that name a KPI last computed: one reading per KPI and
   * scope, for the KPI gauges, handed to `each` in turn. Read at every
   * /metrics scrape over every entry (130,000 at 10,000 interfaces): the
   * scope texts are kept per series (scopeText) and the pairs given so far
   * marked in a kept map (ReadingMarks), so a scrape builds no string, set
   * or object per entry.
   */
  readings(each: (kpi: string, scope: string, value: number) => void): void {
    const marks = this.marks;
    marks.begin();
    // Indexed loops: a for-of over an array allocates a result object per step until the loop is optimised.
    for (const series of this.engine.series.values()) {
      // Read from the entry plan and numbers: most entries have no object (series-alert.ts).
      const { rules, feedOf } = series.entries;
      for (let k = 0; k < rules.length; k++) {
        const rule = rules[k]!;
        const kpi = rule.kpi;
        // A trend or baseline rule's value is a forecast or a deviation, not a reading of its KPI.
        if (kpi === undefined || series.feeds[feedOf[k]!]!.model !== undefined) continue;
        const value = valueAt(series, k);
        if (!Number.isFinite(value)) continue;
        const scope = scopeText(series, rule.scope, series.tags);
        if (marks.first(kpi, scope)) each(kpi, scope, value);
      }
    }
    marks.end();
  }

  private restoredUntil(): number {
    const lifetime = this.o.restoredLifetime ?? Infinity;
    if (lifetime !== Infinity) this.sweep.note(lifetime);
    return this.o.clock.now() + lifetime;
  }

  private forgetSilent(now: number): void {
    // A forward jump must not make every series look silent: shift first.
    if (this.followClockJump()) now = this.o.clock.now();
    const transitions = forgetSilentSeries(this.engine, now);
    // Dropped entries left `timed`: the next tick finds the deadline moved later, no sooner.
    if (transitions.length) this.o.onTransitions(transitions);
  }

  /**
   * Before each evaluation: a wall clock jump since the last one moves the
   * engine's instants with it (clock-step.ts), so its timers keep real time.
   */
  private followClockJump(): boolean {
    const jump = this.jumps.check();
    if (!jump) return false;
    shiftTimes(this.engine, jump.ms);
    this.reschedule();
    return true;
  }

  private scheduleSave(): void {
    if (!this.o.memory || !this.running || this.saveTimer !== undefined) return;
    this.saveTimer = this.o.clock.setTimeout(() => {
      this.saveTimer = undefined;
      this.saveMemory().catch((err: Error) => this.o.onSaveError?.(err)).finally(() => this.scheduleSave());
    }, this.o.saveEvery ?? 600_000);
  }

  private schedule(): void {
    if (!this.running) return;
    const due = this.engine.nextDeadline;
    if (due >= this.timerAt) return;
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = due;
    if (due === Infinity) return;
    this.timer = this.o.clock.setTimeout(() => this.onTimer(), due - this.o.clock.now());
  }

  private onTimer(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    if (!this.running) return;
    this.followClockJump();
    const { transitions } = tick(this.engine, this.o.clock.now());
    if (transitions.length) this.o.onTransitions(transitions);
    this.schedule();
  }
}

/** The end of an alert whose rule or target left the config: resolved if it fired, dropped if it was pending. */
function noLongerMonitored(a: KnownAlert, now: number, reason: 'rule_removed' | 'target_removed'): AlertTransition {
  return {
    fingerprint: a.fingerprint, rule: a.rule, from: a.state, to: a.state === 'firing' ? 'resolved' : 'inactive',
    labels: a.labels, annotations: a.annotations, severity: a.severity, value: a.value ?? NaN,
    activeAt: a.activeAt, crossedAt: a.crossedAt, at: now, series: a.series, reason,
  };
}
