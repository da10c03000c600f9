import type { Clock, TimerHandle } from '../core/clock.js';
import { CollectorError, errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Sample } from '../core/sample.js';
import { seriesLifetime, type Target } from '../core/target.js';
import type { CollectorRegistry } from '../core/collector.js';
import type { SchedulerMetrics } from './scheduler-metrics.js';
import { jobsFor, phaseOffset, type JobSpec } from './jobs.js';
import { Semaphore } from './semaphore.js';
import { TargetHealth } from './target-health.js';

export interface SchedulerOptions {
  readonly clock: Clock;
  readonly collectors: CollectorRegistry;
  /** Polls that may run at once, across all targets. */
  readonly concurrency: number;
  /** `lifetime`: how long the target's series live without a sample (core/target.ts seriesLifetime). */
  readonly publish: (samples: readonly Sample[], lifetime: number) => void;
  readonly metrics: SchedulerMetrics;
  readonly log: Logger;
  /**
   * After a poll's timeout aborts it, how long the collector has to hand back
   * what it measured (a TCP probe reports success 0) before the poll is
   * counted as a timeout. Milliseconds; default 200.
   */
  readonly abortGraceMs?: number;
  /**
   * Cluster mode: each job's phase is fixed on the wall clock (its offset
   * past a multiple of its interval since the epoch) rather than after the
   * moment it was added, so when a target moves between instances the new
   * owner polls it on the same grid as the old one did and never twice in
   * one interval.
   */
  readonly alignToClock?: boolean;
}

interface Job extends JobSpec {
  /** Monotonic time of the next turn: a wall clock step neither stalls polling nor bunches it up. */
  nextAt: number;
  timer?: TimerHandle;
  busy: boolean;
  controller?: AbortController;
  cancelled: boolean;
  lastError?: string;
}

/**
 * Runs every job at its target's interval, each at its own phase, with a
 * per-poll timeout and a global concurrency cap. A job whose previous poll
 * is still running (or still waiting for a slot) skips its turn and the skip
 * is counted: overruns never stack.
 */
export class Scheduler {
  private readonly jobs = new Map<string, Job>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private readonly slots: Semaphore;
  private readonly health: TargetHealth;
  private readonly graceMs: number;

  constructor(private readonly o: SchedulerOptions) {
    this.slots = new Semaphore(o.concurrency);
    this.graceMs = o.abortGraceMs ?? 200;
    this.health = new TargetHealth(o.clock);
  }

  /** Applies a new target list: adds, reschedules changed, and drops removed jobs. */
  update(targets: readonly Target[]): { removedTargets: string[] } {
    const wanted = new Map(targets.flatMap((t) => jobsFor(t, this.o.collectors)).map((j) => [j.id, j]));
    for (const job of [...this.jobs.values()]) {
      const next = wanted.get(job.id);
      if (!next || fingerprint(next) !== fingerprint(job)) this.cancel(job);
    }
    for (const spec of wanted.values()) if (!this.jobs.has(spec.id)) this.add(spec);
    const names = new Set(targets.map((t) => t.name));
    const removedTargets = this.health.targets().filter((n) => !names.has(n));
    for (const name of removedTargets) {
      this.health.forget(name);
      for (const c of this.o.collectors.values()) c.forget?.(name);
    }
    this.health.keep(names);
    this.o.metrics.targets.set(targets.length);
    return { removedTargets };
  }

  /** Aborts in-flight polls and waits for them to finish, at most `graceMs`. */
  async stop(graceMs = 2_000): Promise<void> {
    this.stopping.abort(new Error('kpid is shutting down'));
    for (const job of this.jobs.values()) if (job.timer) this.o.clock.clearTimeout(job.timer);
    this.jobs.clear();
    const drained = Promise.allSettled([...this.inFlight]);
    await Promise.race([drained, new Promise((r) => setTimeout(r, graceMs).unref())]);
  }

  private add(spec: JobSpec): void {
    if (!this.o.collectors.has(spec.kind)) {
      this.o.log.error({ target: spec.target.name, collector: spec.kind }, `no collector for "${spec.kind}"; job not scheduled`);
      this.o.metrics.collectorErrors.inc({ collector: spec.kind, reason: 'unsupported' });
      return;
    }
    const now = this.o.clock.now();
    const interval = spec.target.interval;
    const offset = phaseOffset(spec.id, interval);
    // The wall clock places the first turn on the cluster's grid; the turns after it keep monotonic time.
    const delay = this.o.alignToClock ? (((offset - now) % interval) + interval) % interval : offset;
    const nextAt = this.o.clock.monotonic() + delay;
    const job: Job = { ...spec, busy: false, cancelled: false, nextAt };
    this.jobs.set(job.id, job);
    this.arm(job);
  }

  private cancel(job: Job): void {
    job.cancelled = true;
    if (job.timer) this.o.clock.clearTimeout(job.timer);
    job.controller?.abort(new Error('target removed from config'));
    this.jobs.delete(job.id);
  }

  private arm(job: Job): void {
    job.timer = this.o.clock.setTimeout(() => this.fire(job), job.nextAt - this.o.clock.monotonic());
  }

  private fire(job: Job): void {
    if (job.cancelled || this.stopping.signal.aborted) return;
    const now = this.o.clock.monotonic();
    const interval = job.target.interval;
    job.nextAt += interval;
    // The process was descheduled past whole intervals: those turns are lost.
    while (job.nextAt <= now) {
      job.nextAt += interval;
      this.o.metrics.skippedPolls.inc({ collector: job.kind });
    }
    this.arm(job);
    if (job.busy) {
      this.o.metrics.skippedPolls.inc({ collector: job.kind });
      this.o.log.debug({ target: job.target.name, collector: job.kind }, 'previous poll still running; turn skipped');
      return;
    }
    job.busy = true;
    const run = this.run(job).finally(() => {
      job.busy = false;
      this.inFlight.delete(run);
    });
    this.inFlight.add(run);
  }

  private async run(job: Job): Promise<void> {
    const controller = new AbortController();
    job.controller = controller;
    const onStop = () => controller.abort(this.stopping.signal.reason);
    this.stopping.signal.addEventListener('abort', onStop, { once: true });
    let release: (() => void) | undefined;
    let timeout: TimerHandle | undefined;
    try {
      release = await this.slots.acquire(controller.signal);
      this.o.metrics.pollsInFlight.set(this.slots.inUse);
      timeout = this.o.clock.setTimeout(() => controller.abort(timeoutError(job)), job.timeout);
      const endTimer = this.o.metrics.collectorDuration.startTimer({ collector: job.kind });
      const outcome = await this.collect(job, controller.signal);
      endTimer();
      if (job.cancelled || this.stopping.signal.aborted) return;
      this.publish(job, outcome);
    } catch {
      // Aborted while waiting for a slot: shutdown or removal, nothing to report.
    } finally {
      if (timeout) this.o.clock.clearTimeout(timeout);
      release?.();
      this.o.metrics.pollsInFlight.set(this.slots.inUse);
      this.stopping.signal.removeEventListener('abort', onStop);
    }
  }

  private async collect(job: Job, signal: AbortSignal): Promise<{ samples: readonly Sample[]; error?: CollectorError }> {
    const collector = this.o.collectors.get(job.kind)!;
    try {
      const samples = await withGrace(collector.collect(job.target, job.spec, signal), signal, this.graceMs, this.o.clock);
      return { samples };
    } catch (err) {
      if (err instanceof CollectorError) return { samples: err.samples, error: err };
      return {
        samples: [],
        error: new CollectorError(job.kind, 'internal', `target "${job.target.name}": ${errorMessage(err)}`, { target: job.target.name }),
      };
    }
  }

  private publish(job: Job, outcome: { samples: readonly Sample[]; error?: CollectorError }): void {
    const { samples, error } = outcome;
    const labels = { target: job.target.name, collector: job.kind };
    if (error) {
      this.o.metrics.collectorErrors.inc({ collector: job.kind, reason: error.reason });
      // Once per state change, never once per poll: a dead device must not flood the log.
      if (job.lastError !== error.reason) this.o.log.warn({ ...labels, reason: error.reason }, error.message);
      job.lastError = error.reason;
    } else if (job.lastError) {
      this.o.log.info(labels, 'collector recovered');
      job.lastError = undefined;
    }
    const answered = !error && !samples.some((s) => s.fields.success === 0 || s.fields.up === 0);
    // A collector that confirms a silence (SNMP re-polls) reports one `up: 0`
    // per unanswered attempt: each is one miss of the target at its own instant.
    const misses = answered ? [] : samples.filter((s) => s.fields.up === 0).map((s) => s.time);
    const ups = misses.length
      ? misses.map((at) => this.health.record(job.target, job.id, false, at))
      : [this.health.record(job.target, job.id, answered)];
    this.o.publish([...samples, ...ups], seriesLifetime(job.target));
  }
}

function fingerprint(j: JobSpec): string {
  return JSON.stringify([j.target, j.spec]);
}

function timeoutError(job: JobSpec): CollectorError {
  return new CollectorError(job.kind, 'timeout',
    `target "${job.target.name}": ${job.kind} poll did not finish within its ${job.timeout}ms timeout`,
    { target: job.target.name });
}

/** The collector's result, or the abort reason once it has had `graceMs` to answer an abort. */
function withGrace<T>(work: Promise<T>, signal: AbortSignal, graceMs: number, clock: Clock): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: TimerHandle | undefined;
    const onAbort = () => {
      timer = clock.setTimeout(() => reject(signal.reason), graceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => {
      if (timer) clock.clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    });
  });
}
