import type { Sample } from '../../core/sample.js';

/** Timestamp units of InfluxDB line protocol (`?precision=`), as ms multipliers. */
export const PRECISION_MS = { ns: 1e-6, u: 1e-3, us: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
export type Precision = keyof typeof PRECISION_MS;

export type ParsedLine = { ok: true; sample: Sample } | { ok: false; reason: string };

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
  const scanner = new Scanner(line);
  // The series text (up to the first space), when it holds no escapes, may have been parsed before.
  const space = known ? line.indexOf(' ') : -1;
  const text = space > 0 && line.lastIndexOf('\\', space) < 0 ? line.slice(0, space) : undefined;
  const seen = text === undefined ? undefined : known!.get(text);
  let measurement: string;
  let tags: Readonly<Record<string, string>>;
  if (seen) {
    ({ measurement, tags } = seen);
    scanner.skipTo(space);
  } else {
    measurement = scanner.until(false);
    if (!measurement) return fail('missing measurement');
    const parsed: Record<string, string> = {};
    while (scanner.peek() === ',') {
      scanner.next();
      const key = scanner.until(true);
      if (scanner.peek() !== '=' || !key) return fail(`tag "${key}" has no value`);
      scanner.next();
      const value = scanner.until(false);
      if (!value) return fail(`tag "${key}" has an empty value`);
      parsed[key] = value;
    }
    tags = parsed;
    if (text !== undefined && scanner.position === space) known!.set(text, { measurement, tags });
  }
  if (scanner.peek() !== ' ') return fail('missing fields');
  scanner.skipSpaces();
  const fields: Record<string, number> = {};
  let integerFields: string[] | undefined;
  for (;;) {
    const key = scanner.until(true);
    if (scanner.peek() !== '=' || !key) return fail(`field "${key}" has no value`);
    scanner.next();
    if (scanner.peek() === '"') return fail(`field "${key}" is a string; kpid fields are numbers`);
    const raw = scanner.until(false);
    const value = fieldValue(raw);
    if (value === undefined) return fail(`field "${key}" has an invalid value "${raw}"`);
    if (key in fields) return fail(`field "${key}" appears twice`);
    fields[key] = value;
    if (isInteger(raw)) (integerFields ??= []).push(key);
    if (scanner.peek() !== ',') break;
    scanner.next();
  }
  scanner.skipSpaces();
  const stamp = scanner.rest().trim();
  let time = now;
  if (stamp) {
    if (!/^-?\d+$/.test(stamp)) return fail(`timestamp "${stamp}" is not an integer`);
    // BigInt first: nanosecond stamps exceed 2^53, and rounding must not move them by more than a ms.
    time = precision === 'ns' ? Number(BigInt(stamp) / 1_000_000n) : Number(stamp) * PRECISION_MS[precision];
    if (!Number.isFinite(time)) return fail(`timestamp "${stamp}" is out of range`);
  }
  const sample: Sample = integerFields ? { measurement, tags, fields, time, integerFields } : { measurement, tags, fields, time };
  return { ok: true, sample };
}

/**
 * Series already parsed, by their text in the line. Pushers send the same
 * series request after request, so a line whose series is known costs one
 * lookup, and its samples share one tags object (samples are read-only).
 * Bounded: a client pushing endless series only empties it now and then.
 */
export class KnownSeries {
  private readonly series = new Map<string, { readonly measurement: string; readonly tags: Readonly<Record<string, string>> }>();
  constructor(private readonly max = 10_000) {}
  get(text: string): { readonly measurement: string; readonly tags: Readonly<Record<string, string>> } | undefined {
    return this.series.get(text);
  }
  set(text: string, series: { readonly measurement: string; readonly tags: Readonly<Record<string, string>> }): void {
    if (this.series.size >= this.max) this.series.clear();
    this.series.set(text, series);
  }
}

function fail(reason: string): ParsedLine {
  return { ok: false, reason };
}

const INTEGER = /^-?\d+i$/;
const UNSIGNED = /^\d+u$/;
const TRUE = /^(t|T|true|True|TRUE)$/;
const FALSE = /^(f|F|false|False|FALSE)$/;
const FLOAT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** Integers (`12i`, `12u`) and booleans are stored as integers; a raw value is one when it ends in i or u, or is a word. */
function isInteger(raw: string): boolean {
  const last = raw.charCodeAt(raw.length - 1);
  return last === 0x69 /* i */ || last === 0x75 /* u */ || TRUE.test(raw) || FALSE.test(raw);
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
/** What a backslash may escape; before anything else it is a plain backslash. */
const ESCAPABLE = ' ,="\\';

/** Reads a line token by token, honouring backslash escapes. */
class Scanner {
  private i = 0;
  constructor(private readonly s: string) {}
  peek(): string | undefined {
    return this.s[this.i];
  }
  get position(): number {
    return this.i;
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
