import { holds } from '../core/comparison.js';
import { formatValue } from './format-values.js';
import type { KpiResult } from './report-model.js';

const W = 320;
const H = 90;
const PAD = { left: 6, right: 6, top: 8, bottom: 16 };

/**
 * A small inline SVG of a KPI's daily values over the period, with its
 * target as a dashed line and the days that missed it in red. Self-contained
 * (no fonts, scripts or links) so the page prints anywhere.
 */
export function dailyChart(k: KpiResult): string {
  const points = k.daily.map((d, i) => ({ i, day: d.day, v: d.value }));
  const values = points.flatMap((p) => (p.v === null ? [] : [p.v]));
  const title = `${k.name}: daily values against ${k.target.text}`;
  const open = `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${attr(title)}">`
    + `<title>${text(title)}</title><rect x="0.5" y="0.5" width="${W - 1}" height="${H - 1}" fill="none" stroke="#ccc"/>`;
  if (values.length === 0) {
    return `${open}<text x="${W / 2}" y="${H / 2 + 4}" text-anchor="middle" font-size="11" fill="#888">no data in the period</text></svg>`;
  }
  let lo = Math.min(...values, k.target.value);
  let hi = Math.max(...values, k.target.value);
  if (hi === lo) {
    const pad = Math.abs(hi) * 0.01 || 1;
    lo -= pad;
    hi += pad;
  }
  const span = hi - lo;
  lo -= span * 0.08;
  hi += span * 0.08;
  const n = points.length;
  const x = (i: number) => PAD.left + (n === 1 ? (W - PAD.left - PAD.right) / 2 : (i * (W - PAD.left - PAD.right)) / (n - 1));
  const y = (v: number) => PAD.top + ((hi - v) * (H - PAD.top - PAD.bottom)) / (hi - lo);
  const r2 = (v: number) => Math.round(v * 100) / 100;

  // A day with no data breaks the line rather than bridging it.
  const segments: string[][] = [[]];
  for (const p of points) {
    if (p.v === null) segments.push([]);
    else segments[segments.length - 1]!.push(`${r2(x(p.i))},${r2(y(p.v))}`);
  }
  const lines = segments.filter((s) => s.length > 1)
    .map((s) => `<polyline points="${s.join(' ')}" fill="none" stroke="#2563eb" stroke-width="1.5"/>`).join('');
  const dots = points.filter((p) => p.v !== null).map((p) => {
    const miss = !holds(k.target, p.v!);
    return `<circle cx="${r2(x(p.i))}" cy="${r2(y(p.v!))}" r="${miss ? 2.5 : 1.8}" fill="${miss ? '#dc2626' : '#2563eb'}">`
      + `<title>${text(`${p.day}: ${formatValue(k.unit, p.v)}`)}</title></circle>`;
  }).join('');
  const ty = r2(y(k.target.value));
  const target = `<line x1="${PAD.left}" y1="${ty}" x2="${W - PAD.right}" y2="${ty}" stroke="#dc2626" stroke-width="1" stroke-dasharray="4 3"/>`
    + `<text x="${W - PAD.right}" y="${ty - 2}" text-anchor="end" font-size="9" fill="#dc2626">${text(k.target.text)}</text>`;
  const axis = `<text x="${PAD.left}" y="${H - 4}" font-size="9" fill="#555">${text(points[0]!.day)}</text>`
    + `<text x="${W - PAD.right}" y="${H - 4}" text-anchor="end" font-size="9" fill="#555">${text(points[n - 1]!.day)}</text>`;
  return `${open}${target}${lines}${dots}${axis}</svg>`;
}

/** Escapes text content for HTML and SVG. */
export function text(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes an attribute value (always written in double quotes). */
export function attr(s: string): string {
  return text(s).replace(/"/g, '&quot;');
}
