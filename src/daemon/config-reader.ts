import { ConfigError } from '../config/config-error.js';
import { loadConfig, type Env, type KpidConfig } from '../config/load.js';
import { reloadRefusal, ReloadRefused } from '../config/reload-guard.js';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { KpidMetrics } from '../metrics/definitions.js';

export interface ReloadResult {
  readonly ok: boolean;
  readonly errors: readonly string[];
  /** The config was valid but removes most targets or every rule; `force` applies it. */
  readonly refused?: boolean;
}

/**
 * Sections a reload does not apply: they take effect at the next restart.
 * (notify: and storage: apply at reload, except notify.retry: daemon/notification.ts.)
 */
const RESTART_ONLY = ['server', 'state', 'queue', 'cluster'] as const;

/** Reads the config file and keeps kpid_config_* up to date with the outcome. */
export class ConfigReader {
  constructor(
    private readonly file: string,
    private readonly env: Env | undefined,
    private readonly deps: { clock: Clock; log: Logger; metrics: KpidMetrics },
  ) {}

  /** The config, or a ConfigError (counted in kpid_config_errors). */
  read(): KpidConfig {
    try {
      const cfg = loadConfig(this.file, this.env);
      this.deps.metrics.configErrors.set(0);
      return cfg;
    } catch (err) {
      this.deps.metrics.configErrors.set(err instanceof ConfigError ? err.issues.length : 1);
      throw err;
    }
  }

  accepted(): void {
    this.deps.metrics.configReloadSuccess.set(1);
    this.deps.metrics.configReloadTime.set(this.deps.clock.now() / 1000);
  }

  /** Throws ReloadRefused when `next` drops more than half the targets or every rule (an emptied or truncated file). */
  refuseAccidents(running: KpidConfig, next: KpidConfig, rules: { now: number; next: () => number }): void {
    const rulesNext = rules.now ? rules.next() : 0;
    const reason = reloadRefusal({ targets: running.targets, rules: rules.now }, { targets: next.targets, rules: rulesNext });
    if (reason) throw new ReloadRefused(reason);
  }

  /** A reload that failed or was refused: the previous config keeps running. */
  rejected(err: unknown): ReloadResult {
    const errors = err instanceof ConfigError ? err.message.split('\n') : [errorMessage(err)];
    const refused = err instanceof ReloadRefused;
    this.deps.metrics.configReloadSuccess.set(0);
    this.deps.log.error({ errors }, `config reload ${refused ? 'refused' : 'rejected'}; the previous config keeps running`);
    return { ok: false, errors, ...(refused ? { refused } : {}) };
  }

  warnRestartOnly(previous: KpidConfig, next: KpidConfig): void {
    for (const key of RESTART_ONLY) {
      if (JSON.stringify(next[key]) !== JSON.stringify(previous[key])) {
        this.deps.log.warn({ section: key }, `${key} changed; it takes effect at the next restart`);
      }
    }
  }
}
