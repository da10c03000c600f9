import type { CollectorRegistry } from '../core/collector.js';
import type { ProbeSpec, Target } from '../core/target.js';

/** One thing the scheduler runs periodically: a collector kind for a target. */
export interface JobSpec {
  /** `target/kind` or `target/probe-name`: stable across reloads. */
  readonly id: string;
  readonly target: Target;
  readonly kind: string;
  readonly spec: unknown;
  /** How long one poll may run, ms. */
  readonly timeout: number;
}

/**
 * The jobs a target needs: its SNMP poll, then each of its probes. A job may
 * run for its collector's poll budget (an SNMP poll confirms a silent device
 * inside its interval), else for the target's timeout.
 */
export function jobsFor(target: Target, collectors: CollectorRegistry): JobSpec[] {
  // A probe with a timeout of its own (a throughput probe) runs for that long; config keeps it within the interval.
  const own = (spec: unknown) => (typeof (spec as { timeout?: unknown }).timeout === 'number' ? (spec as { timeout: number }).timeout : undefined);
  const job = (id: string, kind: string, spec: unknown): JobSpec => ({
    id, target, kind, spec, timeout: collectors.get(kind)?.pollBudget?.(target, spec) ?? own(spec) ?? target.timeout,
  });
  const jobs: JobSpec[] = [];
  if (target.snmp) jobs.push(job(`${target.name}/snmp`, 'snmp', target.snmp));
  for (const p of target.probes as ProbeSpec[]) jobs.push(job(`${target.name}/probe:${p.name}`, p.type, p));
  return jobs;
}

/**
 * Where in its interval a job first runs: a hash of its id spread over the
 * interval, so many targets do not all poll at the same instant, and a
 * restart keeps each job's phase.
 */
export function phaseOffset(id: string, interval: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h / 0x1_0000_0000) * interval;
}
