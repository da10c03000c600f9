import { seriesKey, type Sample } from '../../core/sample.js';

/** Timestamp units of InfluxDB line protocol (`?precision=`), as ms multipliers. */
export const PRECISION_MS = { ns: 1e-6, u: 1e-3, us: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
export type Precision = keyof typeof PRECISION_MS;

/**
 * `seriesKey`, when given, is `seriesKey(sample)` already known (the series
 * came from, or went into, KnownSeries). Its text held no backslash, so no
 * name in it can hold one either.
 */
export type ParsedLine = { ok: true; sample: Sample; seriesKey?: string } | { ok: false; reason: string };

/** A series as KnownSeries remembers it: parsed names, one shared read-only tags object, and its series key. */
export interface KnownSeriesEntry {
  readonly measurement: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly key: string;
}

/**
 * Parses one line of InfluxDB line protocol:
 *
 *     measurement[,tag=value...] field=value[,field=value...] [timestamp]
 *
 * Backslash escapes commas, spaces and `=` in names and tag values
 * (https://docs.influxdata.com/influxdb/v1/write_protocols/line_protocol_reference/).
 * kpid's fields are numbers: floats, integers (`12i`, `12u`, kept as
 * integers) and booleans (stored 1/0). A string field makes the whole line
 * rejected, never half-applied.
 */
export function parseLine(line: string, precision: Precision, now: number, known?: KnownSeries): ParsedLine {
  const scanner = SCANNER.reset(line);
  // The series text (up to the first space), when it holds no escapes, may have been parsed before.
  const space = known ? line.indexOf(' ') : -1;
  const text = space > 0 && line.lastIndexOf('\\', space) < 0 ? line.slice(0, space) : undefined;
  let series = text === undefined ? undefined : known!.get(text);
  let measurement: string;
  let tags: Readonly<Record<string, string>>;
  if (series) {
    ({ measurement, tags } = series);
    scanner.skipTo(space);
  } else {
    measurement = scanner.until(false);
    if (!measurement) return fail('missing measurement');
    const parsed: Record<string, string> = {};
    while (scanner.peek() === COMMA) {
      scanner.next();
      const key = scanner.until(true);
      if (scanner.peek() !== EQUALS || !key) return fail(`tag "${key}" has no value`);
      scanner.next();
      const value = scanner.until(false);
      if (!value) return fail(`tag "${key}" has an empty value`);
      parsed[key] = value;
    }
    tags = parsed;
    if (text !== undefined && scanner.position === space) {
      series = known!.remember(text, measurement, parsed);
      ({ measurement, tags } = series);
    }
  }
  if (scanner.peek() !== SPACE) return fail('missing fields');
  scanner.skipSpaces();
  const fields: Record<string, number> = {};
  let integerFields: string[] | undefined;
  for (;;) {
    const key = scanner.until(true);
    if (scanner.peek() !== EQUALS || !key) return fail(`field "${key}" has no value`);
    scanner.next();
    if (scanner.peek() === QUOTE) return fail(`field "${key}" is a string; kpid fields are numbers`);
    const raw = scanner.until(false);
    const value = fieldValue(raw);
    if (value === undefined) return fail(`field "${key}" has an invalid value "${raw}"`);
    if (key in fields) return fail(`field "${key}" appears twice`);
    fields[key] = value;
    if (isInteger(raw)) (integerFields ??= []).push(key);
    if (scanner.peek() !== COMMA) break;
    scanner.next();
  }
  scanner.skipSpaces();
  const time = scanner.atEnd() ? now : timestamp(scanner.rest(), precision, now);
  if (typeof time === 'string') return fail(time);
  const sample: Sample = integerFields ? { measurement, tags, fields, time, integerFields } : { measurement, tags, fields, time };
  return series ? { ok: true, sample, seriesKey: series.key } : { ok: true, sample };
}

/** Epoch ms of a line's timestamp (`now` when it is only blanks), or why it is refused. */
function timestamp(rest: string, precision: Precision, now: number): number | string {
  // The usual stamp is plain digits: read here, no regex and no copy. A ns stamp in ms is
  // its digits but the last six (what BigInt division gives); up to 15 digits a double holds exactly.
  const negative = rest.charCodeAt(0) === 0x2d; // -
  const start = negative ? 1 : 0;
  const end = precision === 'ns' ? rest.length - 6 : rest.length;
  let n = 0;
  for (let i = start; i < rest.length; i++) {
    const d = rest.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9 || i - start >= 15 + (rest.length - end)) return exactTimestamp(rest, precision, now);
    if (i < end) n = n * 10 + d;
  }
  if (rest.length === start) return exactTimestamp(rest, precision, now);
  // 0 - n, not -n: "-0" must read 0, as the BigInt path gives.
  if (negative) n = 0 - n;
  return precision === 'ns' ? n : n * PRECISION_MS[precision];
}

/** The general case: trailing blanks, stamps too long for a double, and the reasons. */
function exactTimestamp(rest: string, precision: Precision, now: number): number | string {
  const stamp = rest.trim();
  if (!stamp) return now;
  if (!/^-?\d+$/.test(stamp)) return `timestamp "${stamp}" is not an integer`;
  // BigInt first: nanosecond stamps exceed 2^53, and rounding must not move them by more than a ms.
  const time = precision === 'ns' ? Number(BigInt(stamp) / 1_000_000n) : Number(stamp) * PRECISION_MS[precision];
  if (!Number.isFinite(time)) return `timestamp "${stamp}" is out of range`;
  return time;
}

/**
 * Series already parsed, by their text in the line. Pushers send the same
 * series request after request, so a line whose series is known costs one
 * lookup, and its samples share one tags object (samples are read-only).
 * Bounded: a client pushing endless series only empties it now and then.
 */
export class KnownSeries {
  private readonly series = new Map<string, KnownSeriesEntry>();
  constructor(private readonly max = 10_000) {}
  get(text: string): KnownSeriesEntry | undefined {
    return this.series.get(text);
  }
  /**
   * Remembers a series just parsed from `text`. Its names are slices of the
   * request body, and V8 keeps a whole string alive for a slice of it: kept
   * as they are, each series would hold the body it came in (up to
   * ingest.max_body_bytes) for as long as the cache, the rules or /metrics
   * hold its tags. So the entry holds copies.
   */
  remember(text: string, measurement: string, tags: Readonly<Record<string, string>>): KnownSeriesEntry {
    const own: Record<string, string> = {};
    for (const k in tags) own[copy(k)] = copy(tags[k]!);
    const name = copy(measurement);
    const series = { measurement: name, tags: own, key: seriesKey({ measurement: name, tags: own }) };
    if (this.series.size >= this.max) this.series.clear();
    this.series.set(copy(text), series);
    return series;
  }
}

/** A string of its own, not a slice of a larger one (a concatenation is flattened into new memory before it is sliced). */
function copy(s: string): string {
  return (' ' + s).slice(1);
}

function fail(reason: string): ParsedLine {
  return { ok: false, reason };
}

const INTEGER = /^-?\d+i$/;
const UNSIGNED = /^\d+u$/;
const TRUE = /^(t|T|true|True|TRUE)$/;
const FALSE = /^(f|F|false|False|FALSE)$/;
const FLOAT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * Integers (`12i`, `12u`) and booleans are stored as integers. For a raw
 * value fieldValue took, that is one ending in i or u, or starting with a
 * letter (t, T, f, F: no float does).
 */
function isInteger(raw: string): boolean {
  const last = raw.charCodeAt(raw.length - 1);
  const first = raw.charCodeAt(0) | 0x20; // lower case
  return last === 0x69 /* i */ || last === 0x75 /* u */ || first === 0x74 /* t */ || first === 0x66 /* f */;
}

/** The number a field value stands for, or undefined. Floats come first: they are most of what is pushed. */
function fieldValue(raw: string): number | undefined {
  const last = raw.charCodeAt(raw.length - 1);
  if (last === 0x69 /* i */ || last === 0x75 /* u */) {
    if (!(last === 0x69 ? INTEGER : UNSIGNED).test(raw)) return undefined;
    const n = Number(raw.slice(0, -1));
    return Number.isSafeInteger(n) ? n : undefined;
  }
  if (FLOAT.test(raw)) {
    const n = Number(raw);
    return Number.isFinite(n) ? n : undefined;
  }
  if (TRUE.test(raw)) return 1;
  if (FALSE.test(raw)) return 0;
  return undefined;
}

const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const SPACE = 0x20;
const EQUALS = 0x3d;
const QUOTE = 0x22;
/** What a backslash may escape; before anything else it is a plain backslash. */
const ESCAPABLE = ' ,="\\';

/** Reads a line token by token, honouring backslash escapes. Character codes, not strings: no one-char strings per step. */
class Scanner {
  private s = '';
  private i = 0;
  reset(s: string): this {
    this.s = s;
    this.i = 0;
    return this;
  }
  /** The code of the character at the cursor; NaN at the end. */
  peek(): number {
    return this.s.charCodeAt(this.i);
  }
  get position(): number {
    return this.i;
  }
  atEnd(): boolean {
    return this.i >= this.s.length;
  }
  skipTo(i: number): void {
    this.i = i;
  }
  next(): void {
    this.i++;
  }
  skipSpaces(): void {
    while (this.s.charCodeAt(this.i) === SPACE) this.i++;
  }
  rest(): string {
    return this.s.slice(this.i);
  }
  /** The text up to the next unescaped comma or space (or `=` too, for keys), unescaped. */
  until(orEquals: boolean): string {
    const s = this.s;
    const start = this.i;
    let i = start;
    // Most tokens hold no backslash: a slice of the line, no copying char by char.
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === COMMA || c === SPACE || (orEquals && c === EQUALS)) break;
      if (c === BACKSLASH) return this.escaped(start, orEquals);
    }
    this.i = i;
    return s.slice(start, i);
  }

  private escaped(start: number, orEquals: boolean): string {
    const s = this.s;
    let out = '';
    let i = start;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === BACKSLASH && i + 1 < s.length && ESCAPABLE.includes(s[i + 1]!)) {
        out += s[i + 1];
        i += 2;
        continue;
      }
      if (c === COMMA || c === SPACE || (orEquals && c === EQUALS)) break;
      out += s[i];
      i++;
    }
    this.i = i;
    return out;
  }
}

/** One scanner for all lines: parseLine runs to its end before another line starts, and a line is all it holds. */
const SCANNER = new Scanner();
