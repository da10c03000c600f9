import { silenceOptions } from '../alerts/alerts-options.js';
import type { SilenceKeeper } from '../alerts/silence-keeper.js';
import type { KpidConfig } from '../config/load.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Target } from '../core/target.js';
import { loadRuleFiles } from '../rules/rule-files.js';
import type { Collection } from './collection.js';
import type { ConfigReader, ReloadResult } from './config-reader.js';
import type { Sinks } from './sinks.js';

/** What a reload reads and changes of the running daemon. */
export interface Reloadable {
  readonly reader: ConfigReader;
  readonly sinks: Sinks;
  readonly silences: SilenceKeeper;
  readonly log: Logger;
  readonly collection: Collection | undefined;
  /** The config running now; undefined before start. */
  readonly config: KpidConfig | undefined;
  /** Swaps the running config. */
  adopt(next: KpidConfig): void;
  /** Hands the targets to collection (in a cluster, this instance's share). */
  retarget(next: KpidConfig): Target[];
}

/**
 * Re-reads the config file and rule files. Anything invalid, or an accident
 * such as a truncated file (unless forced), leaves the running setup in
 * place, logs every error and sets kpid_config_last_reload_success to 0.
 * Otherwise rules, targets, silences, traps, notify and storage take the
 * new config; server:, state:, queue: and cluster: wait for a restart.
 */
export async function reloadConfig(d: Reloadable, opts: { force?: boolean } = {}): Promise<ReloadResult> {
  let next: KpidConfig;
  const { alerting, notify, storage } = d.sinks;
  try {
    next = d.reader.read();
    if (!opts.force && d.config) {
      d.reader.refuseAccidents(d.config, next, { now: alerting?.rules.rules.length ?? 0, next: () => loadRuleFiles(next.rules, { kpis: next.kpis }).rules.length });
    }
    alerting?.reload(next);
  } catch (err) {
    return d.reader.rejected(err);
  }
  const previous = d.config ?? next;
  d.reader.warnRestartOnly(previous, next);
  // Before removed targets resolve: their messages go out under the new notify settings.
  await step(d.log, 'notify', () => notify?.reload(next));
  // Before collection (and a cluster's handover) sees them go: removed targets' alerts resolve, not merely leave.
  const kept = new Set(next.targets.map((t) => t.name));
  alerting?.runtime.removeTargets(new Set(previous.targets.map((t) => t.name).filter((n) => !kept.has(n))));
  const targets = d.retarget(next);
  d.silences.configure(silenceOptions(next));
  d.adopt(next);
  await step(d.log, 'trap receiver', () => d.collection?.applyTraps(next, targets, previous));
  await step(d.log, 'storage', () => storage?.reload(next));
  d.reader.accepted();
  d.log.info({ targets: next.targets.length }, 'config reloaded');
  return { ok: true, errors: [] };
}

/** One stage taking the new config; its failure is logged and does not stop the others. */
async function step(log: Logger, stage: string, apply: () => Promise<void> | undefined): Promise<void> {
  try {
    await apply();
  } catch (err) {
    log.error({ stage, err: errorMessage(err) }, `${stage} could not apply the new config`);
  }
}
