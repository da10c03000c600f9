/**
 * Annotation templates: `{{ $labels.target }}`, `{{ $value }}`, with an
 * optional formatter: `{{ $value | percent }}`, `{{ $value | ms }}`,
 * `{{ $value | humanize }}`, `{{ $threshold | percent }}`.
 * Compiled once at load, so a typo is a load error, not a blank message at
 * 3 a.m.
 */
export interface TemplateData {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly threshold?: number;
  /** A trend rule's fitted level now. */
  readonly level?: number;
  /** A baseline rule's usual value for this hour of the week. */
  readonly baseline?: number;
  /** A baseline rule's value judged (its $value is in robust deviations). */
  readonly observed?: number;
}

type Part = string | ((d: TemplateData) => string);
export type Template = (d: TemplateData) => string;

const FORMATTERS: Record<string, (v: number) => string> = {
  humanize: (v) => humanize(v),
  percent: (v) => `${round(v * 100)}%`,
  ms: (v) => `${round(v * 1000)}ms`,
  seconds: (v) => `${round(v)}s`,
  duration: (v) => humanDuration(v),
  bps: (v) => `${humanize(v)}bit/s`,
  days: (v) => humanDays(v),
};

const EXPR = /^\s*(\$labels\.([A-Za-z_][A-Za-z0-9_]*)|\$value|\$threshold|\$level|\$baseline|\$observed)\s*(?:\|\s*([a-z]+)\s*)?$/;

/** Compiles a template, or returns the message of what is wrong with it. */
export function compileTemplate(text: string): Template | string {
  const parts: Part[] = [];
  let rest = text;
  while (rest.length) {
    const open = rest.indexOf('{{');
    const close = rest.indexOf('}}');
    if (open < 0) {
      if (close >= 0) return `"}}" without "{{" in template "${text}"`;
      parts.push(rest);
      break;
    }
    if (close >= 0 && close < open) return `"}}" without "{{" in template "${text}"`;
    if (open > 0) parts.push(rest.slice(0, open));
    const end = rest.indexOf('}}', open + 2);
    if (end < 0) return `unclosed "{{" in template "${text}"`;
    const expr = rest.slice(open + 2, end);
    const m = EXPR.exec(expr);
    if (!m) return `cannot read "{{${expr}}}": use {{ $labels.NAME }}, {{ $value }}, {{ $threshold }}, {{ $level }}, {{ $baseline }} or {{ $observed }}, optionally "| ${Object.keys(FORMATTERS).join('|')}"`;
    const fmtName = m[3];
    const fmt = fmtName ? FORMATTERS[fmtName] : undefined;
    if (fmtName && !fmt) return `unknown formatter "${fmtName}" in "{{${expr}}}"; known: ${Object.keys(FORMATTERS).join(', ')}`;
    const label = m[2];
    if (label !== undefined) parts.push((d) => d.labels[label] ?? '');
    else {
      const pick = PICK[m[1]!]!;
      const format = fmt ?? ((v: number) => String(round(v)));
      parts.push((d) => format(pick(d)));
    }
    rest = rest.slice(end + 2);
  }
  if (parts.every((p) => typeof p === 'string')) {
    const fixed = parts.join('');
    return () => fixed;
  }
  return (d) => {
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : p(d);
    return out;
  };
}

const PICK: Record<string, (d: TemplateData) => number> = {
  $value: (d) => d.value,
  $threshold: (d) => d.threshold ?? NaN,
  $level: (d) => d.level ?? NaN,
  $baseline: (d) => d.baseline ?? NaN,
  $observed: (d) => d.observed ?? NaN,
};

/** Seconds as "9 days", "1 day" or "5 hours": a trend rule's time left. */
function humanDays(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  const days = seconds / 86_400;
  if (days >= 1.5) return `${Math.round(days)} days`;
  if (days >= 1) return '1 day';
  const hours = Math.max(0, Math.round(seconds / 3600));
  return hours === 1 ? '1 hour' : `${hours} hours`;
}

function round(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(4)) : v;
}

function humanize(v: number): string {
  const a = Math.abs(v);
  for (const [size, suffix] of [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']] as const) {
    if (a >= size) return `${round(v / size)}${suffix}`;
  }
  return String(round(v));
}

function humanDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  const s = Math.round(Math.abs(seconds));
  const sign = seconds < 0 ? '-' : '';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return sign + [h ? `${h}h` : '', m ? `${m}m` : '', sec || (!h && !m) ? `${sec}s` : ''].join('');
}
