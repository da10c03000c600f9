import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { KpidError, errorMessage } from '../core/errors.js';
import { DAY_MS, utcDay } from '../store/kpi-rollup.js';
import { polledFromDays, type PolledDay } from './polled-figures.js';
import type { FirstSeen, KpiDay, PolledSeries, ReportSource, VoiceDay } from './report-source.js';

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

  async polled(from: number, to: number): Promise<PolledSeries[]> {
    if (!this.hasRollup() || !this.hasTables(['polled_daily', 'polled_bins'])) return [];
    const days = this.db!.prepare(`SELECT day, kpi, target, series, sum, count, min, max, last, sent, lost FROM polled_daily
      WHERE day > ? AND day < ?`).all(from - DAY_MS, to) as PolledDay[];
    const bins = this.db!.prepare(`SELECT day, kpi, target, series, bin, n FROM polled_bins
      WHERE day > ? AND day < ?`).all(from - DAY_MS, to) as Array<{ day: number; kpi: string; target: string; series: string; bin: number; n: number }>;
    const byDay = new Map<string, Map<number, number>>();
    for (const b of bins) {
      const key = `${b.day}\u0000${b.kpi}\u0000${b.target}\u0000${b.series}`;
      const m = byDay.get(key) ?? new Map<number, number>();
      m.set(b.bin, b.n);
      byDay.set(key, m);
    }
    return polledFromDays(days.map((d) => {
      const m = byDay.get(`${d.day}\u0000${d.kpi}\u0000${d.target}\u0000${d.series}`);
      return m ? { ...d, bins: m } : d;
    }));
  }

  async firstSeen(): Promise<FirstSeen[]> {
    return readFirstSeen(this.file);
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
    return this.hasTables(['kpi_daily', 'voice_daily']);
  }

  /** Tables a newer kpid added are missing from a file an older one wrote. */
  private hasTables(names: readonly string[]): boolean {
    const n = this.db!.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN (${names.map(() => '?').join(', ')})`)
      .get(...names) as { n: number };
    return n.n === names.length;
  }
}

/**
 * The rollup's first_seen records in `file` (state.sqlite), whatever the
 * sample source: the report's outage ledger lives in the same file and was
 * written by the same daemon, so both describe one kpid's view. Empty when
 * the file or the table (kpid before first_seen existed) is missing.
 */
export function readFirstSeen(file: string): FirstSeen[] {
  if (file !== ':memory:' && !existsSync(file)) return [];
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    const has = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'first_seen'").get() as { n: number };
    if (has.n === 0) return [];
    return db.prepare('SELECT target, series, at FROM first_seen').all() as FirstSeen[];
  } catch (err) {
    throw new KpidError('rollup_open_failed', `cannot read the KPI rollup in ${file}: ${errorMessage(err)}`, { file });
  } finally {
    db?.close();
  }
}
