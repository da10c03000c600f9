import type Database from 'better-sqlite3';
import type { Sample } from '../core/sample.js';
import type { Sink } from '../pipeline/pipeline.js';
import { openSqliteFile } from '../core/sqlite-file.js';

/**
 * Tables of the daily rollup, in the state SQLite file. One row per UTC day
 * and series: enough for a compliance report without InfluxDB. `day` is the
 * epoch ms of the day's UTC midnight. Voice counters are per-poll deltas,
 * so their daily sums are the day's calls.
 */
export const ROLLUP_SCHEMA = `
CREATE TABLE IF NOT EXISTS kpi_daily (
  day INTEGER NOT NULL, kpi TEXT NOT NULL, scope TEXT NOT NULL,
  sum REAL NOT NULL, count INTEGER NOT NULL, min REAL NOT NULL, max REAL NOT NULL,
  last REAL NOT NULL, last_time INTEGER NOT NULL,
  PRIMARY KEY (day, kpi, scope));
CREATE TABLE IF NOT EXISTS voice_daily (
  day INTEGER NOT NULL, target TEXT NOT NULL,
  attempts REAL NOT NULL, answered REAL NOT NULL, dropped REAL NOT NULL,
  PRIMARY KEY (day, target));
`;

export const DAY_MS = 86_400_000;

/** Scope of a `kpi` sample without a scope tag, as kpid_kpi_value labels it. */
export const NO_SCOPE = 'all';

export function utcDay(time: number): number {
  return Math.floor(time / DAY_MS) * DAY_MS;
}

interface KpiCell { day: number; kpi: string; scope: string; sum: number; count: number; min: number; max: number; last: number; lastTime: number }
interface VoiceCell { day: number; target: string; attempts: number; answered: number; dropped: number }

/**
 * The store-stage sink that keeps the daily rollup the embedded report mode
 * reads (src/report/embedded-report-source.ts): pushed `kpi` readings
 * (sum, count, min, max, last per day, kpi and scope) and `voice` counters
 * (attempts, answered, dropped per day and target). Each batch is folded in
 * memory first and written in one transaction, so a batch of thousands of
 * samples costs a handful of upserts.
 */
export class KpiRollup implements Sink {
  readonly name = 'kpi-rollup';
  private readonly db: Database.Database;
  private readonly upsertKpi: Database.Statement;
  private readonly upsertVoice: Database.Statement;
  private readonly writeBatch: (kpi: Iterable<KpiCell>, voice: Iterable<VoiceCell>) => void;

  /** Opens (creating when missing) `file`, normally the config's `state.sqlite`. */
  constructor(readonly file: string) {
    this.db = openSqliteFile(file, ROLLUP_SCHEMA, { code: 'rollup_open_failed', name: 'the KPI rollup in' });
    this.upsertKpi = this.db.prepare(`INSERT INTO kpi_daily (day, kpi, scope, sum, count, min, max, last, last_time)
      VALUES (@day, @kpi, @scope, @sum, @count, @min, @max, @last, @lastTime)
      ON CONFLICT(day, kpi, scope) DO UPDATE SET
        sum = sum + excluded.sum, count = count + excluded.count,
        min = min(min, excluded.min), max = max(max, excluded.max),
        last = CASE WHEN excluded.last_time >= last_time THEN excluded.last ELSE last END,
        last_time = max(last_time, excluded.last_time)`);
    this.upsertVoice = this.db.prepare(`INSERT INTO voice_daily (day, target, attempts, answered, dropped)
      VALUES (@day, @target, @attempts, @answered, @dropped)
      ON CONFLICT(day, target) DO UPDATE SET attempts = attempts + excluded.attempts,
        answered = answered + excluded.answered, dropped = dropped + excluded.dropped`);
    this.writeBatch = this.db.transaction((kpi: Iterable<KpiCell>, voice: Iterable<VoiceCell>) => {
      for (const c of kpi) this.upsertKpi.run(c);
      for (const c of voice) this.upsertVoice.run(c);
    });
  }

  write(samples: readonly Sample[]): void {
    const kpi = new Map<string, KpiCell>();
    const voice = new Map<string, VoiceCell>();
    for (const s of samples) {
      if (s.measurement === 'kpi') foldKpi(kpi, s);
      else if (s.measurement === 'voice') foldVoice(voice, s);
    }
    if (kpi.size === 0 && voice.size === 0) return;
    if (!this.db.open) return;
    // A failure (full disk) throws; the pipeline logs it and the other sinks go on.
    this.writeBatch(kpi.values(), voice.values());
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function foldKpi(cells: Map<string, KpiCell>, s: Sample): void {
  const value = s.fields.value;
  const kpi = s.tags.kpi;
  if (!kpi || value === undefined || !Number.isFinite(value)) return;
  const scope = s.tags.scope || NO_SCOPE;
  const day = utcDay(s.time);
  const key = `${day}\u0000${kpi}\u0000${scope}`;
  const c = cells.get(key);
  if (!c) {
    cells.set(key, { day, kpi, scope, sum: value, count: 1, min: value, max: value, last: value, lastTime: s.time });
    return;
  }
  c.sum += value;
  c.count++;
  c.min = Math.min(c.min, value);
  c.max = Math.max(c.max, value);
  if (s.time >= c.lastTime) {
    c.last = value;
    c.lastTime = s.time;
  }
}

function foldVoice(cells: Map<string, VoiceCell>, s: Sample): void {
  const f = s.fields;
  const n = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : 0);
  if (f.call_attempts === undefined && f.calls_answered === undefined && f.calls_dropped === undefined) return;
  const target = s.tags.target || NO_SCOPE;
  const day = utcDay(s.time);
  const key = `${day}\u0000${target}`;
  let c = cells.get(key);
  if (!c) {
    c = { day, target, attempts: 0, answered: 0, dropped: 0 };
    cells.set(key, c);
  }
  c.attempts += n(f.call_attempts);
  c.answered += n(f.calls_answered);
  c.dropped += n(f.calls_dropped);
}
