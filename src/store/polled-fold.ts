import type { Sample } from '../core/sample.js';
import { POLLED_PARTS, polledSeries, utilisationBin } from './polled-parts.js';

/** A `polled_daily` row's share folded since the last write; its fields are the upsert's named parameters. */
export interface PolledCell { day: number; kpi: string; target: string; series: string; sum: number; count: number; min: number; max: number; last: number; lastTime: number; sent: number; lost: number }
/** A `polled_bins` row's share folded since the last write. */
export interface BinCell { day: number; kpi: string; target: string; series: string; bin: number; n: number }

const DAY_MS = 86_400_000;

/** One interface's or probe's cells of one UTC day, by POLLED_PARTS index (none for a part it never had a value of). */
interface SeriesDay {
  readonly cells: (PolledCell | undefined)[];
  /** Utilisation counts per whole-percent bin, by part index. */
  readonly bins: (Map<number, BinCell> | undefined)[];
}

/** target → interface or probe tag → day number (days since the epoch) → cells. */
type SeriesDays = Map<string, Map<string, Map<number, SeriesDay>>>;

/**
 * The chapter-5.1 fields of polled samples, folded per UTC day, KPI,
 * target and series between two writes of the rollup. The cells are kept
 * from one write to the next and found through the tags the sample
 * carries (target, then interface or probe, then day): a poll of 10,000
 * interfaces, the same series every poll, then builds no key string and no
 * cell (it built twelve strings per interface). A written cell is emptied
 * (count 0) and filled again by the next sample; one that stayed empty
 * for a whole period between writes (its interface gone, yesterday's
 * cells) is dropped.
 */
export class PolledFold {
  private readonly interfaces: SeriesDays = new Map();
  private readonly probes: SeriesDays = new Map();
  /** Whether anything was folded since the last write. */
  folded = false;

  add(s: Sample): void {
    const target = s.tags.target;
    if (!target) return;
    // What polledSeries names the series after: without it the sample has no series.
    const name = s.measurement === 'interface' ? s.tags.interface : s.tags.probe;
    if (!name) return;
    let series: SeriesDay | undefined;
    const dayNumber = Math.floor(s.time / DAY_MS);
    for (let i = 0; i < POLLED_PARTS.length; i++) {
      const part = POLLED_PARTS[i]!;
      if (part.measurement !== s.measurement) continue;
      const value = s.fields[part.field];
      // The value first: an idle or unknown-speed port has no ratios, and named its series six times a poll for nothing.
      if (value === undefined || !Number.isFinite(value)) continue;
      // Loss is packets lost ÷ sent; a probe that sent nothing (it could not start) measured no loss.
      const sent = part.kpi === 'packet_loss' ? (s.fields.sent ?? 0) : 0;
      if (part.kpi === 'packet_loss' && !(sent > 0)) continue;
      const lost = part.kpi === 'packet_loss' ? sent - (s.fields.received ?? 0) : 0;
      series ??= this.seriesDay(s.measurement === 'interface' ? this.interfaces : this.probes, target, name, dayNumber);
      const c = (series.cells[i] ??= emptyCell(dayNumber * DAY_MS, part.kpi, target, polledSeries(part, s.tags)!));
      fold(c, value, s.time, sent, lost);
      if (part.kpi === 'bandwidth_utilisation') {
        const bins = (series.bins[i] ??= new Map());
        const bin = utilisationBin(value);
        let b = bins.get(bin);
        if (!b) bins.set(bin, (b = { day: c.day, kpi: c.kpi, target, series: c.series, bin, n: 0 }));
        b.n++;
      }
      this.folded = true;
    }
  }

  /** Hands every cell folded into since the last write to `cell` and every bin to `bin` (to upsert them). */
  each(cell: (c: PolledCell) => void, bin: (b: BinCell) => void): void {
    for (const kind of [this.interfaces, this.probes]) {
      for (const names of kind.values()) for (const days of names.values()) for (const d of days.values()) {
        for (const c of d.cells) if (c !== undefined && c.count > 0) cell(c);
        for (const bins of d.bins) if (bins !== undefined) for (const b of bins.values()) if (b.n > 0) bin(b);
      }
    }
  }

  /** After a write, whether or not it succeeded (a failed write loses what was folded, as the rollup says): starts the next period. */
  empty(): void {
    this.folded = false;
    for (const kind of [this.interfaces, this.probes]) emptyOrDrop(kind);
  }

  private seriesDay(kind: SeriesDays, target: string, name: string, dayNumber: number): SeriesDay {
    let names = kind.get(target);
    if (!names) kind.set(target, (names = new Map()));
    let days = names.get(name);
    if (!days) names.set(name, (days = new Map()));
    let d = days.get(dayNumber);
    if (!d) days.set(dayNumber, (d = { cells: [], bins: [] }));
    return d;
  }
}

function emptyCell(day: number, kpi: string, target: string, series: string): PolledCell {
  return { day, kpi, target, series, sum: 0, count: 0, min: 0, max: 0, last: 0, lastTime: 0, sent: 0, lost: 0 };
}

function fold(c: PolledCell, value: number, time: number, sent: number, lost: number): void {
  if (c.count === 0) {
    c.sum = value;
    c.count = 1;
    c.min = c.max = c.last = value;
    c.lastTime = time;
    c.sent = sent;
    c.lost = lost;
    return;
  }
  c.sum += value;
  c.count++;
  c.min = Math.min(c.min, value);
  c.max = Math.max(c.max, value);
  c.sent += sent;
  c.lost += lost;
  if (time >= c.lastTime) {
    c.last = value;
    c.lastTime = time;
  }
}

/** After a write: written cells and bins emptied, those already empty (nothing folded for a whole period) dropped. */
function emptyOrDrop(kind: SeriesDays): void {
  // Over keys, not entries: no [key, value] array per series and cell.
  for (const target of kind.keys()) {
    const names = kind.get(target)!;
    for (const name of names.keys()) {
      const days = names.get(name)!;
      for (const dayNumber of days.keys()) if (!emptyOrDropCells(days.get(dayNumber)!)) days.delete(dayNumber);
      if (days.size === 0) names.delete(name);
    }
    if (names.size === 0) kind.delete(target);
  }
}

/** Whether any of the series' cells is kept. */
function emptyOrDropCells(d: SeriesDay): boolean {
  let kept = false;
  for (let i = 0; i < d.cells.length; i++) {
    const c = d.cells[i];
    if (c === undefined) continue;
    if (c.count === 0) d.cells[i] = undefined;
    else {
      c.count = 0;
      kept = true;
    }
    const bins = d.bins[i];
    if (bins === undefined) continue;
    for (const bin of bins.keys()) {
      const b = bins.get(bin)!;
      if (b.n === 0) bins.delete(bin);
      else b.n = 0;
    }
    if (bins.size === 0) d.bins[i] = undefined;
  }
  return kept;
}
