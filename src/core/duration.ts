const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;

/**
 * Parses `500ms`, `30s`, `5m`, `1h30m`, `7d` into milliseconds, the way
 * Prometheus writes durations. Returns undefined for anything else, including
 * negative values and bare numbers (whose unit would be a guess).
 */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (!s) return undefined;
  PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  let m: RegExpExecArray | null;
  while ((m = PART.exec(s)) !== null) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    consumed = PART.lastIndex;
  }
  return consumed === s.length ? total : undefined;
}

/** Formats milliseconds the way they are written in config: `1h5m`, `30s`, `250ms`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(Math.round(ms));
  const out: string[] = [];
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    if (rest >= size) {
      out.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest) out.push(`${rest}ms`);
  return sign + out.join('');
}
