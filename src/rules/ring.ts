/**
 * The recent samples of one series for all of its windows that span the
 * same time (or the same number of samples): one column of times, shared,
 * and one column per field those windows read. Every field of a sample has
 * the sample's time, so the four 5-minute ratio windows of an interface
 * (errors and discards, in and out, over packets) keep one time column and
 * one packet column per direction instead of a ring each: 7 columns, not
 * 12, in one typed array instead of four (bench/rules-memory.bench.mjs).
 *
 * The ring is shared only while every window on it takes every sample it
 * takes (bind groups the windows, the collector sends every field): a
 * sample that some take and others do not (a field missing, a field filter
 * failing) first moves those others to rings of their own, copied as they
 * stand (`detach`), so no window ever holds a sample it did not take.
 *
 * Each window keeps its own running sums (sum, avg, count, rate and ratio
 * in O(1)); the ring doubles when full and recomputes the sums exactly every
 * 64 samples, as a ring per window did, so the figures are the same bits.
 */
export interface RingWindow {
  /** The ring that holds its values; null for a one-sample window. */
  ring: Ring | null;
  /** Column of its values in the ring, and of its denominators (-1: not a ratio). */
  num: number;
  den: number;
  sum: number;
  sumDen: number;
}

export class Ring {
  /** Column c holds slots [c × cap, (c + 1) × cap); column 0 the times. */
  data: Float64Array;
  cap: number;
  /** Slot of the oldest sample. */
  start = 0;
  count = 0;
  /** Samples since the running sums were last recomputed exactly. */
  drift = 0;

  constructor(
    readonly columns: number,
    /** Span of a time window (ms), used when `samples` is 0. */
    readonly overMs: number,
    /** Length of a count window; 0 for a time window. */
    readonly samples: number,
    readonly windows: RingWindow[],
    // 16 slots hold a 5-minute window at a 30-second poll without growing.
    cap = samples > 0 ? samples : 16,
  ) {
    this.cap = cap;
    this.data = new Float64Array(cap * columns);
  }
}

/**
 * Makes room for a sample at `time` and returns its slot. The caller then
 * `put`s the value of every window of the ring and calls `close`.
 */
export function open(r: Ring, time: number): number {
  if (r.samples > 0 && r.count === r.samples) evictOldest(r);
  else if (r.count === r.cap) grow(r);
  let at = r.start + r.count;
  if (at >= r.cap) at -= r.cap;
  r.data[at] = time;
  return at;
}

export function put(r: Ring, w: RingWindow, at: number, num: number, den: number): void {
  const cap = r.cap;
  r.data[w.num * cap + at] = num;
  if (w.den >= 0) r.data[w.den * cap + at] = den;
  w.sum += num;
  w.sumDen += den;
}

/** Counts the sample `open` made room for, and lets a time window's oldest samples go. */
export function close(r: Ring, time: number): void {
  r.count++;
  if (r.samples === 0) {
    const oldest = time - r.overMs;
    while (r.count > 1 && r.data[r.start]! <= oldest) evictOldest(r);
  }
  // Adding and subtracting floats drifts; recompute now and then.
  if (++r.drift >= 64) resum(r);
}

function evictOldest(r: Ring): void {
  const i = r.start;
  const cap = r.cap;
  for (const w of r.windows) {
    w.sum -= r.data[w.num * cap + i]!;
    if (w.den >= 0) w.sumDen -= r.data[w.den * cap + i]!;
  }
  r.start = i + 1 === cap ? 0 : i + 1;
  r.count--;
}

/** Doubles the ring, its samples moved to the front in order. */
function grow(r: Ring): void {
  const cap = r.cap;
  const next = cap * 2;
  const data = new Float64Array(next * r.columns);
  for (let c = 0; c < r.columns; c++) {
    for (let k = 0, i = r.start; k < r.count; k++, i = i + 1 === cap ? 0 : i + 1) data[c * next + k] = r.data[c * cap + i]!;
  }
  r.data = data;
  r.cap = next;
  r.start = 0;
}

function resum(r: Ring): void {
  const cap = r.cap;
  for (const w of r.windows) {
    let s = 0;
    let d = 0;
    for (let k = 0, i = r.start; k < r.count; k++, i = i + 1 === cap ? 0 : i + 1) {
      s += r.data[w.num * cap + i]!;
      if (w.den >= 0) d += r.data[w.den * cap + i]!;
    }
    w.sum = s;
    w.sumDen = d;
  }
  r.drift = 0;
}

/**
 * Moves `w` off its shared ring onto one of its own holding the same
 * samples (its times, values and denominators), and returns that ring.
 */
export function detach(r: Ring, w: RingWindow): Ring {
  const own = new Ring(w.den >= 0 ? 3 : 2, r.overMs, r.samples, [w], r.cap);
  const cap = r.cap;
  const from = [0, w.num, w.den];
  for (let c = 0; c < own.columns; c++) {
    for (let k = 0, i = r.start; k < r.count; k++, i = i + 1 === cap ? 0 : i + 1) own.data[c * cap + k] = r.data[from[c]! * cap + i]!;
  }
  own.count = r.count;
  own.drift = r.drift;
  r.windows.splice(r.windows.indexOf(w), 1);
  w.ring = own;
  w.num = 1;
  w.den = w.den >= 0 ? 2 : -1;
  return own;
}

/** Time of the newest sample; -Infinity when empty. */
export function newest(r: Ring): number {
  if (r.count === 0) return -Infinity;
  const i = r.start + r.count - 1;
  return r.data[i >= r.cap ? i - r.cap : i]!;
}

/** Moves every time the ring holds by `ms` (a wall clock step, clock-step.ts). */
export function shiftRing(r: Ring, ms: number): void {
  for (let k = 0; k < r.count; k++) r.data[(r.start + k) % r.cap]! += ms;
}
