import { loadRuleFiles, type LoadedRules } from '../rules/rule-files.js';
import type { KpiOverride } from '../core/kpi-catalogue.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Sample } from '../core/sample.js';
import type { KpiMetrics } from '../metrics/kpi-metrics.js';
import { RuleRunner } from '../rules/rule-runner.js';
import type { KpidConfig } from '../config/load.js';
import { flapThresholds } from '../alerts/alerts-options.js';
import { AlertKeeper, type NotificationConsumer } from '../alerts/alert-keeper.js';
import { SqliteStateStore } from '../alerts/state/sqlite-state-store.js';
import type { StateStore } from '../alerts/state/state-store.js';

/** The parts of the config alerting reads: `rules:`, `kpis:` and `state:`. */
export interface RulesAndAlertsConfig {
  readonly rules: readonly string[];
  readonly kpis: Readonly<Record<string, KpiOverride>>;
  readonly state: ({ readonly sqlite: string } | { readonly redis: string }) & { readonly max_pending_writes?: number | undefined };
  /** Absent (tests that build this by hand): DEFAULT_FLAP_THRESHOLDS. */
  readonly flapping?: KpidConfig['flapping'];
  /** Read for how long a sent-notification claim can still matter (the longest repeat or escalation step) and for outboxAfter. */
  readonly notify?: {
    readonly routes: readonly { readonly repeat: number; readonly group_wait: number; readonly group_interval: number }[];
    readonly escalations: Readonly<Record<string, { readonly steps: readonly { readonly after: number }[] }>>;
  } | undefined;
}

export interface RulesAndAlertsDeps {
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: KpiMetrics;
  readonly notifier: NotificationConsumer;
  readonly isPlanned?: (labels: Readonly<Record<string, string>>, at: number) => boolean;
  /** Runs once the store is open, before alerts resume from it (silences load here, so nothing resumed slips past them). */
  readonly beforeResume?: (store: StateStore) => Promise<void>;
  /** Where the outage ledger's series go (the InfluxDB store, when configured). */
  readonly record?: (samples: readonly Sample[]) => void;
  /** How long a firing message waits in the outbox before any instance may deliver it, ms (AlertKeeperOptions.outboxAfter), under a config. */
  readonly outboxAfter?: (config: RulesAndAlertsConfig) => number;
  /** How long the series of an alert put back at start is kept waiting for a sample, ms (RuleRunnerOptions.restoredLifetime). */
  readonly restoredLifetime?: number;
}

/**
 * The rules and alerts stages, wired: rules loaded and compiled (a
 * ConfigError stops the start), the state store opened, the alert runtime
 * resumed from it. The rule runner is the pipeline sink and hands its
 * transitions to the runtime; `reload` swaps rules only when the new files
 * are valid.
 */
export class RulesAndAlerts {
  private constructor(
    /** The pipeline sink: samples in, transitions out to the runtime. */
    readonly runner: RuleRunner,
    readonly runtime: AlertKeeper,
    readonly store: StateStore,
    private loaded: LoadedRules,
    /** Timings that follow notify: (a reload may change its routes); the keeper reads them at each use. */
    private readonly timing: NotifyTiming,
    private readonly deps: RulesAndAlertsDeps,
  ) {}

  static async start(config: RulesAndAlertsConfig, deps: RulesAndAlertsDeps): Promise<RulesAndAlerts> {
    const loaded = load(config);
    const store = await openStore(config.state, deps.log);
    const timing = notifyTiming(config, deps);
    const runner: RuleRunner = new RuleRunner({
      clock: deps.clock, rules: loaded.rules, onTransitions: (ts) => runtime.onTransitions(ts), memory: store,
      onSaveError: (err) => deps.log.warn({ err: err.message }, 'could not save what the trend and baseline rules learnt; retrying at the next save'),
      ...(deps.restoredLifetime !== undefined ? { restoredLifetime: deps.restoredLifetime } : {}),
    });
    // Availability readings go to the rules only: they are derived from the ledger, not measured.
    const runtime: AlertKeeper = new AlertKeeper({
      clock: deps.clock, rules: runner, publish: (s) => runner.write(s), catalogue: loaded.catalogue, store, notifier: deps.notifier,
      metrics: deps.metrics, log: deps.log, ...(deps.isPlanned ? { isPlanned: deps.isPlanned } : {}),
      ...(config.flapping ? { flapping: flapThresholds(config.flapping) } : {}),
      get claimsMatterFor() {
        return timing.claimsMatterFor;
      },
      get outboxAfter() {
        return timing.outboxAfter;
      },
      ...(deps.record ? { record: deps.record } : {}),
      ...(config.state.max_pending_writes !== undefined ? { maxPendingWrites: config.state.max_pending_writes } : {}),
    });
    try {
      await deps.beforeResume?.(store);
      await runtime.start();
      const models = await runner.resumeMemory();
      if (models) deps.log.info({ models }, 'trend and baseline rules resumed what they had learnt');
      runner.start();
    } catch (err) {
      await store.close();
      throw err;
    }
    deps.log.info({ rules: loaded.rules.length, files: loaded.files.length }, 'alert rules loaded');
    return new RulesAndAlerts(runner, runtime, store, loaded, timing, deps);
  }

  get rules(): LoadedRules {
    return this.loaded;
  }

  /** Re-reads the rule files; throws ConfigError (and keeps the running rules) when any is invalid. */
  reload(config: RulesAndAlertsConfig): void {
    const next = load(config);
    this.runtime.setCatalogue(next.catalogue);
    this.runner.replaceRules(next.rules, this.runtime.activeAlerts());
    this.loaded = next;
    Object.assign(this.timing, notifyTiming(config, this.deps));
    this.deps.log.info({ rules: next.rules.length, files: next.files.length }, 'alert rules reloaded');
  }

  async close(): Promise<void> {
    this.runner.stop();
    await this.runner.saveMemory().catch((err: Error) => this.deps.log.warn({ err: err.message }, 'could not save what the trend and baseline rules learnt'));
    await this.runtime.stop();
    await this.store.close();
  }
}

function load(config: RulesAndAlertsConfig): LoadedRules {
  // The config stage made `rules:` patterns absolute (against the config file's directory).
  return loadRuleFiles(config.rules, { kpis: config.kpis });
}

interface NotifyTiming {
  claimsMatterFor: number;
  outboxAfter: number | undefined;
}

function notifyTiming(config: RulesAndAlertsConfig, deps: RulesAndAlertsDeps): NotifyTiming {
  return { claimsMatterFor: claimsMatterFor(config.notify), outboxAfter: deps.outboxAfter?.(config) };
}

/** SQLite for one instance; Redis when alerts, outages and notification claims are shared by a cluster. */
/** The longest route repeat or escalation step: a claim older than that, of a resolved alert, can no longer matter. */
function claimsMatterFor(notify: RulesAndAlertsConfig['notify']): number {
  const intervals = [
    ...(notify?.routes ?? []).map((r) => r.repeat),
    ...Object.values(notify?.escalations ?? {}).flatMap((e) => e.steps.map((s) => s.after)),
  ];
  return Math.max(4 * 3_600_000, ...intervals);
}

async function openStore(state: RulesAndAlertsConfig['state'], log: Logger): Promise<StateStore> {
  if ('sqlite' in state) return new SqliteStateStore(state.sqlite);
  // Imported here: ioredis is loaded only by a daemon whose state is in Redis (test/embedded-modules.test.ts).
  const { RedisStateStore } = await import('../alerts/state/redis-state-store.js');
  return new RedisStateStore(state.redis, { log });
}
