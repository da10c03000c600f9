import type { Sample } from './sample.js';
import type { Target } from './target.js';

/**
 * A collector measures one thing about one target and returns samples. It
 * never stores, never alerts, never touches metrics: the pipeline does that.
 *
 * `spec` is the part of the target's config that this job runs: the `snmp:`
 * block, or one entry of `probes:`.
 *
 * A collector that cannot measure throws a CollectorError whose `reason`
 * labels kpid_collector_errors_total. Probe failures that are themselves the
 * measurement (a refused TCP port, 100 % loss) are samples with
 * `success = 0`, not errors.
 */
export interface Collector<Spec = unknown> {
  readonly kind: string;
  collect(target: Target, spec: Spec, signal: AbortSignal): Promise<Sample[]>;
  /**
   * How long one poll of this job may run, ms, when it needs more than the
   * target's timeout (the SNMP poll's confirmation re-polls). Default: the
   * target's timeout.
   */
  pollBudget?(target: Target, spec: Spec): number;
  /** Called when a target leaves the config, to free sessions it holds. */
  forget?(targetName: string): void;
  /** Releases processes and sockets at shutdown. */
  close?(): Promise<void>;
}

/** Collectors by kind: the one explicit map the scheduler consults. */
export type CollectorRegistry = ReadonlyMap<string, Collector<any>>;
