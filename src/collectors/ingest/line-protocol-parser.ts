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
export function parseLine(line: string, precision: Precision, now: number): ParsedLine {
  const scanner = new Scanner(line);
  const measurement = scanner.until([',', ' ']);
  if (!measurement) return fail('missing measurement');
  const tags: Record<string, string> = {};
  while (scanner.peek() === ',') {
    scanner.next();
    const key = scanner.until(['=', ',', ' ']);
    if (scanner.peek() !== '=' || !key) return fail(`tag "${key}" has no value`);
    scanner.next();
    const value = scanner.until([',', ' ']);
    if (!value) return fail(`tag "${key}" has an empty value`);
    tags[key] = value;
  }
  if (scanner.peek() !== ' ') return fail('missing fields');
  scanner.skipSpaces();
  const fields: Record<string, number> = {};
  const integerFields: string[] = [];
  for (;;) {
    const key = scanner.until(['=', ',', ' ']);
    if (scanner.peek() !== '=' || !key) return fail(`field "${key}" has no value`);
    scanner.next();
    if (scanner.peek() === '"') return fail(`field "${key}" is a string; kpid fields are numbers`);
    const raw = scanner.until([',', ' ']);
    const value = fieldValue(raw);
    if (value === undefined) return fail(`field "${key}" has an invalid value "${raw}"`);
    if (key in fields) return fail(`field "${key}" appears twice`);
    fields[key] = value.number;
    if (value.integer) integerFields.push(key);
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
  return { ok: true, sample: { measurement, tags, fields, time, ...(integerFields.length ? { integerFields } : {}) } };
}

function fail(reason: string): ParsedLine {
  return { ok: false, reason };
}

function fieldValue(raw: string): { number: number; integer: boolean } | undefined {
  if (/^-?\d+i$/.test(raw) || /^\d+u$/.test(raw)) {
    const n = Number(raw.slice(0, -1));
    return Number.isSafeInteger(n) ? { number: n, integer: true } : undefined;
  }
  if (/^(t|T|true|True|TRUE)$/.test(raw)) return { number: 1, integer: true };
  if (/^(f|F|false|False|FALSE)$/.test(raw)) return { number: 0, integer: true };
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? { number: n, integer: false } : undefined;
}

/** Reads a line token by token, honouring backslash escapes. */
class Scanner {
  private i = 0;
  constructor(private readonly s: string) {}
  peek(): string | undefined {
    return this.s[this.i];
  }
  next(): void {
    this.i++;
  }
  skipSpaces(): void {
    while (this.s[this.i] === ' ') this.i++;
  }
  rest(): string {
    return this.s.slice(this.i);
  }
  until(stops: readonly string[]): string {
    let out = '';
    while (this.i < this.s.length) {
      const c = this.s[this.i]!;
      if (c === '\\' && this.i + 1 < this.s.length && ' ,="\\'.includes(this.s[this.i + 1]!)) {
        out += this.s[this.i + 1];
        this.i += 2;
        continue;
      }
      if (stops.includes(c)) break;
      out += c;
      this.i++;
    }
    return out;
  }
}
