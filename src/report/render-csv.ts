import { formatValue } from './format-values.js';
import type { ComplianceReport } from './report-model.js';
import { trendText } from './period-trend.js';

const HEADER = [
  'kpi', 'name', 'chapter', 'scope', 'source', 'target', 'value', 'value_text', 'unit', 'status',
  'readings', 'min', 'max', 'mean', 'last', 'attempts', 'answered', 'dropped', 'days', 'failing_days', 'note', 'counted_to',
  'previous', 'change', 'trend',
];

/**
 * Every row carries `counted_to`, where the report stopped counting (the
 * period's end, or now when the period has not ended, which the `*` rows'
 * note then says). One row per KPI per scope, after one `*` row per KPI with its headline
 * figure. Values in kpid's base units (ratios 0–1, seconds, bit/s) with
 * `value_text` in the operator's units; RFC 4180 quoting. The `*` rows
 * also carry the previous period's figure, the change and the trend in
 * words with its arrow (scope rows leave them empty).
 */
export function renderCsv(report: ComplianceReport): string {
  const rows: unknown[][] = [HEADER];
  const counted = report.period.countedTo;
  const cut = report.period.cutAtNow ? `${report.period.note}; ` : '';
  for (const k of report.kpis) {
    const c = k.counts;
    rows.push([k.id, k.name, k.chapter, '*', 'overall', k.target.text, k.value, formatValue(k.unit, k.value), k.unit, k.status,
      '', '', '', '', '', c?.attempts, c?.answered, c?.dropped, '', '', cut + (k.reason ?? k.basis), counted,
      k.trend.previous, k.trend.change, trendText(k.unit, k.trend)]);
    for (const s of k.scopes) {
      const r = s.readings;
      rows.push([k.id, k.name, k.chapter, s.scope, s.source, k.target.text, s.value, formatValue(k.unit, s.value), k.unit, s.status,
        r?.count, r?.min, r?.max, r?.mean, r?.last, s.counts?.attempts, s.counts?.answered, s.counts?.dropped,
        s.days, s.failingDays, '', counted, '', '', '']);
    }
  }
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const text = String(v);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
