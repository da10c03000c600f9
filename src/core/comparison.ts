/**
 * A comparison such as `< 0.5%`, `>= 99.9%`, `<= 30m`, `> 50ms`, `= 0` or
 * `>= 100Mbit/s`, as written in the KPI catalogue, in `kpis:` overrides and
 * in a rule's `when:`.
 *
 * Units are normalised so one number line serves every sample:
 * percentages become ratios (0.5% → 0.005, because kpid carries ratios 0–1),
 * durations become seconds (50ms → 0.05, 30m → 1800), bit rates become
 * bits per second (100Mbit/s → 1e8).
 */
export type Operator = '<' | '<=' | '>' | '>=' | '==' | '!=';

export interface Comparison {
  readonly op: Operator;
  readonly value: number;
  /** As written, for messages and reports. */
  readonly text: string;
}

const OPS: Record<string, Operator> = {
  '<': '<', '<=': '<=', '≤': '<=', '>': '>', '>=': '>=', '≥': '>=', '=': '==', '==': '==', '!=': '!=', '≠': '!=',
};

const UNITS: Record<string, number> = {
  '': 1,
  '%': 0.01,
  ms: 0.001, s: 1, m: 60, min: 60, h: 3600,
  'bit/s': 1, 'kbit/s': 1e3, 'Mbit/s': 1e6, 'Gbit/s': 1e9, bps: 1, kbps: 1e3, Mbps: 1e6, Gbps: 1e9,
};

const PATTERN = /^\s*(<=|>=|==|!=|<|>|=|≤|≥|≠)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*([a-zA-Z%/]*)\s*$/;

/** Parses a comparison, or returns an error message naming what is wrong. */
export function parseComparison(text: string): Comparison | string {
  const m = PATTERN.exec(text);
  if (!m) return `"${text}" is not a comparison; write it like "< 0.5%", ">= 99.9%", "<= 30m" or "> 50ms"`;
  const scale = UNITS[m[3]!];
  if (scale === undefined) {
    return `unknown unit "${m[3]}" in "${text}"; use %, ms, s, m, h, bit/s, kbit/s, Mbit/s or Gbit/s`;
  }
  // Multiply then round away binary noise: 0.5 * 0.01 must equal 0.005.
  const value = Number((Number(m[2]) * scale).toPrecision(12));
  return { op: OPS[m[1]!]!, value, text: text.trim() };
}

export function compare(op: Operator, value: number, threshold: number): boolean {
  switch (op) {
    case '<': return value < threshold;
    case '<=': return value <= threshold;
    case '>': return value > threshold;
    case '>=': return value >= threshold;
    case '==': return value === threshold;
    case '!=': return value !== threshold;
  }
}

export function holds(c: Comparison, value: number): boolean {
  return compare(c.op, value, c.value);
}

const NEGATION: Record<Operator, Operator> = { '<': '>=', '<=': '>', '>': '<=', '>=': '<', '==': '!=', '!=': '==' };

/** The comparison that holds exactly when `c` does not: a target's violation. */
export function negate(c: Comparison): Comparison {
  const op = NEGATION[c.op];
  return { op, value: c.value, text: `${op} ${c.value}` };
}
