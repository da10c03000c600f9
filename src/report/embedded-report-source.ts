import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { KpidError, errorMessage } from '../core/errors.js';
import { DAY_MS, utcDay } from '../store/kpi-rollup.js';
import type { KpiDay, ReportSource, VoiceDay } from './report-source.js';

/**
 * Reads the daily rollup KpiRollup keeps in the state SQLite file. Daily
 * resolution: a day counts when it overlaps [from, to), whole; and only what
 * kpid itself saw since the rollup existed.
 */
export class EmbeddedReportSource implements ReportSource {
  readonly mode = 'embedded' as const;
  private db: Database.Database | undefined;

  /** Opens `file` (the config's `state.sqlite`) read-only when first queried, so a daemon may hold one before the file exists. */
  constructor(readonly file: string) {}

  notes(from: number, to: number): string[] {
    const notes = [`samples from the embedded daily rollup in ${this.file}: only what this kpid received while running, at the resolution of a UTC day`];
    if (!this.hasRollup()) notes.push(`${this.file} holds no rollup yet (kpid has not stored any kpi or voice sample there)`);
    if (from !== utcDay(from) || to !== utcDay(to)) {
      notes.push('the period does not start and end at UTC midnight: sample KPIs count every whole day that overlaps it');
    }
    return notes;
  }

  async kpiDays(from: number, to: number): Promise<KpiDay[]> {
    if (!this.hasRollup()) return [];
    return this.db!.prepare(`SELECT day, kpi, scope, sum, count, min, max, last FROM kpi_daily
      WHERE day > ? AND day < ? ORDER BY day, kpi, scope`).all(from - DAY_MS, to) as KpiDay[];
  }

  async voiceDays(from: number, to: number): Promise<VoiceDay[]> {
    if (!this.hasRollup()) return [];
    return this.db!.prepare(`SELECT day, target, attempts, answered, dropped FROM voice_daily
      WHERE day > ? AND day < ? ORDER BY day, target`).all(from - DAY_MS, to) as VoiceDay[];
  }

  async close(): Promise<void> {
    if (this.db?.open) this.db.close();
    this.db = undefined;
  }

  /** Whether KpiRollup has created its tables in the file (opening it when it exists). */
  private hasRollup(): boolean {
    if (!this.db) {
      if (this.file !== ':memory:' && !existsSync(this.file)) return false;
      try {
        this.db = new Database(this.file, { readonly: true, fileMustExist: true });
        this.db.pragma('busy_timeout = 5000');
      } catch (err) {
        throw new KpidError('rollup_open_failed', `cannot read the KPI rollup in ${this.file}: ${errorMessage(err)}`, { file: this.file });
      }
    }
    const n = this.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('kpi_daily', 'voice_daily')").get() as { n: number };
    return n.n === 2;
  }
}
