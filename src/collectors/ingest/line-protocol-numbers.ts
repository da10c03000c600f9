/*
 * The numbers of an InfluxDB line protocol line: field values and
 * timestamps. Every pushed line has both, so the usual forms (a plain
 * decimal, a stamp of digits) are read by hand, exactly as Number() and
 * BigInt would read them; anything else takes the general path.
 */

/** Timestamp units of InfluxDB line protocol (`?precision=`), as ms multipliers. */
export const PRECISION_MS = { ns: 1e-6, u: 1e-3, us: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
export type Precision = keyof typeof PRECISION_MS;

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
export function isInteger(raw: string): boolean {
  const last = raw.charCodeAt(raw.length - 1);
  const first = raw.charCodeAt(0) | 0x20; // lower case
  return last === 0x69 /* i */ || last === 0x75 /* u */ || first === 0x74 /* t */ || first === 0x66 /* f */;
}

/** The number a field value stands for, or undefined. Floats come first: they are most of what is pushed. */
export function fieldValue(raw: string): number | undefined {
  const last = raw.charCodeAt(raw.length - 1);
  if (last === 0x69 /* i */ || last === 0x75 /* u */) {
    if (!(last === 0x69 ? INTEGER : UNSIGNED).test(raw)) return undefined;
    const n = Number(raw.slice(0, -1));
    return Number.isSafeInteger(n) ? n : undefined;
  }
  const plain = plainDecimal(raw);
  if (plain !== undefined) return plain;
  if (FLOAT.test(raw)) {
    const n = Number(raw);
    return Number.isFinite(n) ? n : undefined;
  }
  if (TRUE.test(raw)) return 1;
  if (FALSE.test(raw)) return 0;
  return undefined;
}

/** Exact powers of ten: every one up to 10^22 is a double. */
const POW10 = Array.from({ length: 16 }, (_, k) => 10 ** k);

/**
 * A plain decimal (`0.992`, `-12.5`, `.5`, `3.`) of at most 15 digits, or
 * undefined for anything else. Such a value is an integer m below 2^53 over
 * 10^k, both exact doubles, so the one division m / 10^k is correctly
 * rounded: the very double Number() gives, without its general parser.
 */
function plainDecimal(raw: string): number | undefined {
  const negative = raw.charCodeAt(0) === 0x2d; // -
  let m = 0;
  let digits = 0;
  let point = -1;
  for (let i = negative ? 1 : 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x2e /* . */ && point < 0) point = i;
    else if (c >= 0x30 && c <= 0x39 && ++digits <= 15) m = m * 10 + (c - 0x30);
    else return undefined;
  }
  if (digits === 0) return undefined;
  const n = point < 0 ? m : m / POW10[raw.length - 1 - point]!;
  return negative ? -n : n;
}

/** Epoch ms of a line's timestamp (`now` when it is only blanks), or why it is refused. */
export function timestamp(rest: string, precision: Precision, now: number): number | string {
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
