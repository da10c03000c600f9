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

interface SnmpBudget {
  timeout: number;
  retries: number;
  confirm?: { attempts: number; delay: number };
}

/**
 * An SNMP poll that gets no answer re-polls to confirm before declaring the
 * device down; its worst case is every attempt timing out with all retries.
 * That budget may exceed the target's timeout, so the SNMP job gets the
 * larger of the two, never more than the interval: the confirmations fit
 * within the poll instead of being cut short.
 */
export function snmpPollTimeout(target: Target): number {
  const s = target.snmp as SnmpBudget | undefined;
  if (!s) return target.timeout;
  const attempts = s.confirm?.attempts ?? 0;
  const budget = (s.retries + 1) * s.timeout * (1 + attempts) + attempts * (s.confirm?.delay ?? 0) + 500;
  return Math.min(target.interval, Math.max(target.timeout, budget));
}

/** The jobs a target needs: its SNMP poll, then each of its probes. */
export function jobsFor(target: Target): JobSpec[] {
  const jobs: JobSpec[] = [];
  if (target.snmp) jobs.push({ id: `${target.name}/snmp`, target, kind: 'snmp', spec: target.snmp, timeout: snmpPollTimeout(target) });
  for (const p of target.probes as ProbeSpec[]) {
    // A probe with a timeout of its own (a throughput probe) runs for that long; config keeps it within the interval.
    const timeout = typeof p.timeout === 'number' ? p.timeout : target.timeout;
    jobs.push({ id: `${target.name}/probe:${p.name}`, target, kind: p.type, spec: p, timeout });
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
