import { KpidError } from '../core/errors.js';

/** A command-line or query argument kpid cannot use; `argument` names it (`--from`, `from`). */
export class ReportArgumentError extends KpidError {
  constructor(readonly argument: string, message: string) {
    super('report_bad_argument', `${argument}: ${message}`, { argument });
    this.name = 'ReportArgumentError';
  }
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// A time without a zone would be read in the local zone of whoever runs the report: refused.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * A report boundary: `YYYY-MM-DD` (UTC midnight) or ISO 8601 with a zone
 * (`2026-03-01T06:00:00Z`, `2026-03-01T08:00+08:00`). Epoch ms.
 */
export function parseReportDate(text: string | undefined, argument: string): number {
  const hint = 'write YYYY-MM-DD (UTC midnight) or ISO 8601 with a zone, like 2026-03-01T06:00:00Z';
  if (text === undefined || text === '') throw new ReportArgumentError(argument, `is required; ${hint}`);
  const m = DATE.exec(text) ?? DATE_TIME.exec(text);
  if (!m) throw new ReportArgumentError(argument, `"${text}" is not a date; ${hint}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = Date.UTC(y, mo - 1, d);
  if (new Date(day).getUTCMonth() !== mo - 1 || new Date(day).getUTCDate() !== d) {
    throw new ReportArgumentError(argument, `"${text}" is not a date in the calendar`);
  }
  if (m.length === 4 || m[4] === undefined) return day;
  const [h, mi, s] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  if (h > 23 || mi > 59 || s > 59) throw new ReportArgumentError(argument, `"${text}" is not a time of day`);
  const ms = Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (!Number.isFinite(ms)) throw new ReportArgumentError(argument, `"${text}" is not a date; ${hint}`);
  return ms;
}

/** Both ends, checked against each other: `to` is exclusive and must come after `from`. */
export function parseReportPeriod(from: string | undefined, to: string | undefined, names: { from: string; to: string }): { from: number; to: number } {
  const f = parseReportDate(from, names.from);
  const t = parseReportDate(to, names.to);
  if (t <= f) throw new ReportArgumentError(names.to, `"${to}" is not after ${names.from} "${from}" (${names.to} is exclusive)`);
  if (t - f > 367 * 86_400_000) throw new ReportArgumentError(names.to, 'a report covers at most 367 days; split longer periods');
  return { from: f, to: t };
}
