import type { Clock } from '../core/clock.js';
import type { Sample } from '../core/sample.js';
import type { Target } from '../core/target.js';

/**
 * Whether each target answered its last poll: up when any of its jobs
 * (SNMP, a probe) got an answer on its most recent run.
 */
export class TargetHealth {
  private readonly byTarget = new Map<string, Map<string, boolean>>();

  constructor(private readonly clock: Clock) {}

  /** The target's state after this job's result; `at` is when the job's attempt was made (default now). */
  record(target: Target, jobId: string, answered: boolean, at = this.clock.now()): Sample {
    let jobs = this.byTarget.get(target.name);
    if (!jobs) this.byTarget.set(target.name, (jobs = new Map()));
    jobs.set(jobId, answered);
    const up = [...jobs.values()].some(Boolean) ? 1 : 0;
    return {
      measurement: 'target',
      tags: { target: target.name, site: target.site },
      fields: { up },
      time: at,
      integerFields: ['up'],
    };
  }

  targets(): string[] {
    return [...this.byTarget.keys()];
  }

  forget(name: string): void {
    this.byTarget.delete(name);
  }

  /** Drops results of jobs of targets that remain but lost a probe: handled on next record. */
  keep(names: ReadonlySet<string>): void {
    for (const n of this.byTarget.keys()) if (!names.has(n)) this.byTarget.delete(n);
  }
}
