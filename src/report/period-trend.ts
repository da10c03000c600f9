import type { KpiDefinition } from '../core/kpi-catalogue.js';
import { formatValue } from './format-values.js';
import type { KpiResult, KpiTrend } from './report-model.js';

/**
 * Period over period (KPI-CATALOGUE 3.3.1, issue 16 §3): each KPI's figure
 * against the same figure for the period of the same length just before.
 * `better` reads the change against the target: for "< 0.5 %" a fall is
 * better, for ">= 99.9 %" a rise.
 */
export function trendOf(k: Pick<KpiResult, 'value' | 'target'>, previous: number | null): KpiTrend {
  const now = k.value;
  if (now === null || previous === null) return { previous, change: null, direction: null, better: null };
  const change = now - previous;
  // Below a millionth of the larger figure the two are the same (floating point, not a trend).
  const same = Math.abs(change) <= 1e-6 * Math.max(Math.abs(now), Math.abs(previous), 1e-12);
  const direction = same ? 'same' : change > 0 ? 'up' : 'down';
  const op = k.target.op;
  let better: boolean | null = null;
  if (!same && (op === '<' || op === '<=')) better = change < 0;
  else if (!same && (op === '>' || op === '>=')) better = change > 0;
  else if (!same) better = Math.abs(now - k.target.value) < Math.abs(previous - k.target.value);
  return { previous, change: same ? 0 : change, direction, better };
}

const ARROW = { up: '↑', down: '↓', same: '→' } as const;

/** "↑ +0.12 pts (worse; was 0.23%)", "→ same (was 99.95%)", "— (no previous figure)": the trend column of the text formats. */
export function trendText(unit: KpiDefinition['unit'], t: KpiTrend): string {
  if (t.direction === null) return t.previous === null ? '— (no previous figure)' : `— (was ${formatValue(unit, t.previous)})`;
  if (t.direction === 'same') return `→ same (was ${formatValue(unit, t.previous)})`;
  const judged = t.better === null ? '' : t.better ? 'better; ' : 'worse; ';
  return `${ARROW[t.direction]} ${changeText(unit, t.change!)} (${judged}was ${formatValue(unit, t.previous)})`;
}

function changeText(unit: KpiDefinition['unit'], change: number): string {
  const sign = change > 0 ? '+' : '−';
  const a = Math.abs(change);
  // A change of a ratio is in percentage points: 0.2 % → 0.3 % is +0.1 pts, not +50 %.
  if (unit === 'ratio') return `${sign}${Number((a * 100).toPrecision(4))} pts`;
  return `${sign}${formatValue(unit, a)}`;
}
