import { confirmationPlan, type ConfirmSettings } from '../collectors/snmp/confirmation-plan.js';
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
 * An SNMP poll that gets no answer re-polls to confirm before declaring the
 * device down. Its timeout is the confirmation plan's budget: long enough for
 * every attempt, and short enough that the poll ends before its next turn, so
 * a dead device skips no poll.
 */
export function snmpPollTimeout(target: Target): number {
  const s = target.snmp as ConfirmSettings | undefined;
  if (!s) return target.timeout;
  return confirmationPlan(target.interval, target.timeout, s).budget;
}

/** The jobs a target needs: its SNMP poll, then each of its probes. */
export function jobsFor(target: Target): JobSpec[] {
  const jobs: JobSpec[] = [];
  if (target.snmp) jobs.push({ id: `${target.name}/snmp`, target, kind: 'snmp', spec: target.snmp, timeout: snmpPollTimeout(target) });
  for (const p of target.probes as ProbeSpec[]) {
    jobs.push({ id: `${target.name}/probe:${p.name}`, target, kind: p.type, spec: p, timeout: target.timeout });
  }
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
