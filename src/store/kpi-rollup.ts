import type Database from 'better-sqlite3';
import type { Sample } from '../core/sample.js';
import type { Sink } from '../pipeline/pipeline.js';
import { seenKeys } from './polled-parts.js';
import { PolledFold } from './polled-fold.js';
import { RecordedSeen } from './recorded-seen.js';
import { openSqliteFile } from '../core/sqlite-file.js';
import { systemClock, type Clock, type TimerHandle } from '../core/clock.js';

/**
 * Tables of the daily rollup, in the state SQLite file. One row per UTC day
 * and series: enough for a compliance report without InfluxDB. `day` is the
 * epoch ms of the day's UTC midnight. Voice counters are per-poll deltas,
 * so their daily sums are the day's calls. `polled_daily` and `polled_bins`
 * hold the chapter-5.1 fields of polled samples (store/polled-parts.ts);
 * `sent` and `lost` are probe packets, so loss over a period is packets
 * lost ÷ sent. `first_seen` is when kpid first received a sample of a
 * target (series '') or of one of its interfaces or probes: the start of
 * the time a service was monitored, for availability.
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
CREATE TABLE IF NOT EXISTS polled_daily (
  day INTEGER NOT NULL, kpi TEXT NOT NULL, target TEXT NOT NULL, series TEXT NOT NULL,
  sum REAL NOT NULL, count INTEGER NOT NULL, min REAL NOT NULL, max REAL NOT NULL,
  last REAL NOT NULL, last_time INTEGER NOT NULL, sent REAL NOT NULL, lost REAL NOT NULL,
  PRIMARY KEY (day, kpi, target, series));
CREATE TABLE IF NOT EXISTS polled_bins (
  day INTEGER NOT NULL, kpi TEXT NOT NULL, target TEXT NOT NULL, series TEXT NOT NULL,
  bin INTEGER NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY (day, kpi, target, series, bin));
CREATE TABLE IF NOT EXISTS first_seen (
  target TEXT NOT NULL, series TEXT NOT NULL, at INTEGER NOT NULL,
  PRIMARY KEY (target, series));
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
 * kpi → scope → day number (days since the epoch: a small integer, where the
 * day's epoch ms is a heap number hashed anew each time) → cell: a pushed
 * sample finds its cell without a key string built for it.
 */
type KpiCells = Map<string, Map<string, Map<number, KpiCell>>>;
/** Pushed readings and voice counters folded since the last write (the polled cells are kept across writes: PolledFold). */
interface Folded { kpi: KpiCells; voice: Map<string, VoiceCell>; seen: Map<string, number> }

/**
 * The store-stage sink that keeps the daily rollup the embedded report mode
 * reads (src/report/embedded-report-source.ts): pushed `kpi` readings
 * (sum, count, min, max, last per day, kpi and scope) and `voice` counters
 * (attempts, answered, dropped per day and target). Each batch is folded in
 * memory first and written in one transaction, so a batch of thousands of
 * samples costs a handful of upserts.
 */
export interface KpiRollupOptions {
  /**
   * Fold batches in memory and write them at most this often (0: every
   * batch). The daemon passes 60 s: a poll of 1,000 interfaces is ~4,000
   * upserts, the same series every poll, so at a 10 s interval writing once
   * a minute costs a sixth. The report then lags by up to this much; close()
   * writes what is pending.
   */
  readonly flushEveryMs?: number;
  readonly clock?: Clock;
}

const emptyFold = (): Folded => ({ kpi: new Map(), voice: new Map(), seen: new Map() });

export class KpiRollup implements Sink {
  readonly name = 'kpi-rollup';
  private readonly db: Database.Database;
  private readonly writeBatch: (f: Folded) => void;
  /** First-seen keys already written by this process: each is written once, not once per poll. */
  private readonly recorded = new RecordedSeen();
  private readonly polled = new PolledFold();
  private readonly flushEveryMs: number;
  private readonly clock: Clock;
  /** Folded and not yet written. */
  private pending = emptyFold();
  private timer: TimerHandle | undefined;
  private failed: unknown;

  /** Opens (creating when missing) `file`, normally the config's `state.sqlite`. */
  constructor(readonly file: string, opts: KpiRollupOptions = {}) {
    this.flushEveryMs = opts.flushEveryMs ?? 0;
    this.clock = opts.clock ?? systemClock;
    this.db = openSqliteFile(file, ROLLUP_SCHEMA, { code: 'rollup_open_failed', name: 'the KPI rollup in' });
    const upsertKpi = this.db.prepare(`INSERT INTO kpi_daily (day, kpi, scope, sum, count, min, max, last, last_time)
      VALUES (@day, @kpi, @scope, @sum, @count, @min, @max, @last, @lastTime)
      ON CONFLICT(day, kpi, scope) DO UPDATE SET
        sum = sum + excluded.sum, count = count + excluded.count,
        min = min(min, excluded.min), max = max(max, excluded.max),
        last = CASE WHEN excluded.last_time >= last_time THEN excluded.last ELSE last END,
        last_time = max(last_time, excluded.last_time)`);
    const upsertVoice = this.db.prepare(`INSERT INTO voice_daily (day, target, attempts, answered, dropped)
      VALUES (@day, @target, @attempts, @answered, @dropped)
      ON CONFLICT(day, target) DO UPDATE SET attempts = attempts + excluded.attempts,
        answered = answered + excluded.answered, dropped = dropped + excluded.dropped`);
    const upsertPolled = this.db.prepare(`INSERT INTO polled_daily (day, kpi, target, series, sum, count, min, max, last, last_time, sent, lost)
      VALUES (@day, @kpi, @target, @series, @sum, @count, @min, @max, @last, @lastTime, @sent, @lost)
      ON CONFLICT(day, kpi, target, series) DO UPDATE SET
        sum = sum + excluded.sum, count = count + excluded.count,
        min = min(min, excluded.min), max = max(max, excluded.max),
        last = CASE WHEN excluded.last_time >= last_time THEN excluded.last ELSE last END,
        last_time = max(last_time, excluded.last_time),
        sent = sent + excluded.sent, lost = lost + excluded.lost`);
    const upsertBin = this.db.prepare(`INSERT INTO polled_bins (day, kpi, target, series, bin, n) VALUES (@day, @kpi, @target, @series, @bin, @n)
      ON CONFLICT(day, kpi, target, series, bin) DO UPDATE SET n = n + excluded.n`);
    const upsertSeen = this.db.prepare(`INSERT INTO first_seen (target, series, at) VALUES (?, ?, ?)
      ON CONFLICT(target, series) DO UPDATE SET at = min(at, excluded.at)`);
    this.writeBatch = this.db.transaction((f: Folded) => {
      for (const scopes of f.kpi.values()) for (const days of scopes.values()) for (const c of days.values()) upsertKpi.run(c);
      for (const c of f.voice.values()) upsertVoice.run(c);
      this.polled.each((c) => upsertPolled.run(c), (b) => upsertBin.run(b));
      for (const [key, at] of f.seen) upsertSeen.run(...key.split('\u0000'), at);
    });
  }

  write(samples: readonly Sample[]): void {
    const f = this.pending;
    for (const s of samples) {
      if (s.measurement === 'kpi') foldKpi(f.kpi, s);
      else if (s.measurement === 'voice') foldVoice(f.voice, s);
      else if (s.measurement === 'interface' || s.measurement === 'probe') this.polled.add(s);
      // Only a sample of a target proves one seen (pushed kpi readings mostly have none); the same series every poll are written already.
      if (!s.tags.target || this.recorded.covers(s)) continue;
      for (const key of seenKeys(s)) {
        if (this.recorded.has(key)) continue;
        f.seen.set(key, Math.min(f.seen.get(key) ?? Infinity, s.time));
      }
    }
    if (this.failed !== undefined) {
      const err = this.failed;
      this.failed = undefined;
      throw err;
    }
    if (this.flushEveryMs <= 0) this.flush();
    else this.timer ??= this.clock.setTimeout(() => this.flushLater(), this.flushEveryMs);
  }

  /** A timer's flush: its failure is thrown by the next write(), for the pipeline to log, not out of a timer. */
  private flushLater(): void {
    try {
      this.flush();
    } catch (err) {
      this.failed = err;
    }
  }

  /** Writes what is folded in one transaction. */
  flush(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const f = this.pending;
    if (f.kpi.size === 0 && f.voice.size === 0 && !this.polled.folded && f.seen.size === 0) return;
    if (!this.db.open) return;
    this.pending = emptyFold();
    // A failure (full disk) throws and loses this fold; the pipeline logs it and the other sinks go on.
    try {
      this.writeBatch(f);
    } finally {
      this.polled.empty();
    }
    for (const key of f.seen.keys()) this.recorded.add(key);
  }

  close(): void {
    if (this.db.open) this.flush();
    if (this.db.open) this.db.close();
  }
}

function foldKpi(cells: KpiCells, s: Sample): void {
  const value = s.fields.value;
  const kpi = s.tags.kpi;
  if (!kpi || value === undefined || !Number.isFinite(value)) return;
  const scope = s.tags.scope || NO_SCOPE;
  const dayNumber = Math.floor(s.time / DAY_MS);
  let scopes = cells.get(kpi);
  if (!scopes) cells.set(kpi, (scopes = new Map()));
  let days = scopes.get(scope);
  if (!days) scopes.set(scope, (days = new Map()));
  const c = days.get(dayNumber);
  if (!c) {
    days.set(dayNumber, { day: dayNumber * DAY_MS, kpi, scope, sum: value, count: 1, min: value, max: value, last: value, lastTime: s.time });
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
