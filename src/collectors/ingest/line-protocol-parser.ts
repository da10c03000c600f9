import { seriesKey, type Sample } from '../../core/sample.js';

import { fieldValue, isInteger, timestamp, type Precision } from './line-protocol-numbers.js';

export { PRECISION_MS, type Precision } from './line-protocol-numbers.js';

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
