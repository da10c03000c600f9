import { formatDuration, formatValue, monitoredText } from './format-values.js';
import type { ComplianceReport, KpiResult } from './report-model.js';
import { dailyChart, text as t } from './svg-chart.js';
import { trendText } from './period-trend.js';

const RESULT = { pass: 'PASS', fail: 'FAIL', no_data: 'no data' } as const;

// A4 portrait with 15 mm margins; tables and KPI blocks avoid page breaks
// inside them; colours print (print-color-adjust) so FAIL stays red on paper.
const CSS = `
@page { size: A4; margin: 15mm; }
* { box-sizing: border-box; }
body { font: 10pt/1.35 system-ui, "Segoe UI", Helvetica, Arial, sans-serif; color: #111; max-width: 180mm; margin: 0 auto; padding: 8mm 0; }
h1 { font-size: 16pt; margin: 0 0 2mm; } h2 { font-size: 12.5pt; margin: 6mm 0 2mm; border-bottom: 1px solid #999; }
h3 { font-size: 10.5pt; margin: 0 0 1mm; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 3mm; page-break-inside: avoid; }
th, td { border: 1px solid #bbb; padding: 1mm 1.5mm; text-align: left; vertical-align: top; font-size: 8.5pt; }
th { background: #eee; }
.pass { color: #15803d; font-weight: 600; } .fail { color: #b91c1c; font-weight: 700; } .no_data { color: #777; }
.kpi { page-break-inside: avoid; break-inside: avoid; border: 1px solid #ddd; padding: 2mm 3mm; margin: 0 0 3mm; }
.chart { display: block; margin: 1mm 0; }
.muted { color: #555; font-size: 8.5pt; }
@media print {
  body { padding: 0; max-width: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2 { page-break-after: avoid; break-after: avoid; }
  .kpi, table { page-break-inside: avoid; break-inside: avoid; }
}
`;

/**
 * The report as one printable HTML page (A4), a chart per KPI, no external
 * assets or scripts. Written as well-formed XHTML-compatible markup.
 */
export function renderHtml(r: ComplianceReport): string {
  const b: string[] = [];
  b.push('<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8"/>',
    `<title>${t(`KPI compliance report ${r.period.from.slice(0, 10)} to ${r.period.to.slice(0, 10)}`)}</title>`,
    `<style>${CSS}</style>`, '</head>', '<body>');
  b.push('<h1>KPI compliance report</h1>');
  b.push(`<p class="muted">Period ${t(r.period.from)} to ${t(r.period.to)} (${t(formatDuration(r.period.seconds))}, end exclusive). `
    + `Generated ${t(r.generatedAt)}. Samples from ${r.source.mode === 'influx' ? 'InfluxDB' : 'the embedded daily rollup'}.</p>`);
  if (r.period.cutAtNow) {
    b.push(`<p><strong>Counted up to ${t(r.period.countedTo)} (${t(formatDuration(r.period.countedSeconds))}): ${t(r.period.note ?? 'the period has not ended')}.</strong></p>`);
  }
  b.push(`<p><span class="${r.summary.fail ? 'fail' : 'pass'}">${r.summary.fail} of ${r.summary.kpis} KPIs failed</span>, `
    + `${r.summary.pass} passed, ${r.summary.noData} had no data.</p>`);

  b.push('<h2>Failed KPIs: where and for how long</h2>');
  if (r.summary.failed.length === 0) b.push('<p>None.</p>');
  else {
    b.push('<ul>');
    for (const f of r.summary.failed) {
      const items = f.where.map((g) => g.count === 1
        ? `<li>${t(g.failures[0]!.detail)}</li>`
        : `<li><strong>${t(g.target)}</strong>: ${g.count} failures, worst first<ul>${g.failures.map((x) => `<li>${t(x.detail)}</li>`).join('')}`
          + `${g.more ? `<li>… and ${g.more} more on ${t(g.target)}</li>` : ''}</ul></li>`);
      if (f.moreTargets) items.push(`<li>… and ${f.moreTargets} more target(s) (every failure is in the evidence below)</li>`);
      b.push(`<li><strong>${t(f.name)}</strong> (${t(f.kpi)}): ${f.failures.length} failure(s) on ${f.where.length + f.moreTargets} target(s)<ul>${items.join('')}</ul></li>`);
    }
    b.push('</ul>');
  }

  b.push('<h2>KPIs against their targets</h2>', '<table><thead><tr><th>ch.</th><th>KPI</th><th>target</th><th>measured</th><th>result</th><th>trend</th></tr></thead><tbody>');
  for (const k of r.kpis) {
    b.push(`<tr><td>${k.chapter}</td><td>${t(k.name)}</td><td>${t(k.target.text)}</td><td>${t(formatValue(k.unit, k.value))}</td>`
      + `<td class="${k.status}">${RESULT[k.status]}</td><td>${t(trendText(k.unit, k.trend))}</td></tr>`);
  }
  b.push('</tbody></table>');

  b.push('<h2>Evidence per KPI</h2>');
  for (const k of r.kpis) b.push(kpiBlock(k));

  b.push('<h2>Availability per service</h2>');
  if (r.availability.length === 0) b.push('<p>No outage in the ledger overlaps the period.</p>');
  else {
    b.push(table(['service', 'availability', 'result', 'monitored', 'unplanned downtime', 'planned (excluded)', 'outages'], r.availability.map((s) => [
      t(s.service), formatValue('ratio', s.availability), `<span class="${s.status}">${RESULT[s.status]}</span>`, t(monitoredText(s)),
      formatDuration(s.unplannedDowntimeSeconds), formatDuration(s.plannedDowntimeSeconds), `${s.unplannedOutages} + ${s.plannedOutages} planned`,
    ])));
  }
  b.push(`<p>Services that failed availability: ${r.failedServices.length ? `<span class="fail">${r.failedServices.map(t).join(', ')}</span>` : 'none'}.</p>`);

  b.push('<h2>Outages</h2>');
  b.push(r.outages.length === 0 ? '<p>None.</p>' : table(
    ['id', 'service', 'start', 'restored', 'duration', 'target', 'met', 'planned'],
    r.outages.map((o) => [t(o.id), t(o.service), t(o.startedAt), t(o.restoredAt ?? (o.endedByRemovalAt ? `ended by removal ${o.endedByRemovalAt}` : 'open')), formatDuration(o.durationSeconds),
      formatDuration(o.recoveryTargetSeconds),
      o.met === null ? (o.planned ? 'not judged' : 'running') : o.met ? '<span class="pass">met</span>' : '<span class="fail">missed</span>',
      o.planned ? 'yes' : 'no']),
  ));
  b.push('<h2>Excluded maintenance</h2>');
  b.push(r.maintenance.length === 0 ? '<p>None.</p>' : table(
    ['id', 'service', 'start', 'end', 'excluded'],
    r.maintenance.map((m) => [t(m.id), t(m.service), t(m.startedAt), t(m.restoredAt ?? 'open'), formatDuration(m.excludedSeconds)]),
  ));
  b.push('<h2>Notes</h2>', `<ul>${r.source.notes.map((n) => `<li>${t(n)}</li>`).join('')}</ul>`);
  b.push('</body>', '</html>');
  return `${b.join('\n')}\n`;
}

function kpiBlock(k: KpiResult): string {
  const parts = [`<div class="kpi" id="kpi-${k.id}">`,
    `<h3>${t(k.name)} <span class="muted">(${t(k.id)}, chapter ${k.chapter})</span>: <span class="${k.status}">${RESULT[k.status]}</span></h3>`,
    `<p>Target ${t(k.target.text)}; measured <strong>${t(formatValue(k.unit, k.value))}</strong> <span class="muted">(${t(k.basis)})</span>.`
      + `${k.reason ? ` ${t(k.reason)}.` : ''}`
      + `${k.counts ? ` Calls: ${k.counts.attempts} attempts, ${k.counts.answered} answered, ${k.counts.dropped} dropped.` : ''}</p>`,
    dailyChart(k)];
  if (k.scopes.length) {
    parts.push(table(['scope', 'source', 'value', 'result', 'evidence'], k.scopes.map((s) => {
      const ev: string[] = [];
      if (s.counts) ev.push(`${s.counts.attempts} attempts, ${s.counts.answered} answered, ${s.counts.dropped} dropped`);
      if (s.readings) {
        const f = (v: number) => formatValue(k.unit, v);
        ev.push(`${s.readings.count} readings, min ${f(s.readings.min)}, max ${f(s.readings.max)}, mean ${f(s.readings.mean)}, last ${f(s.readings.last)}`);
      }
      if (s.days !== undefined) ev.push(`${s.failingDays} of ${s.days} days missed`);
      return [t(s.scope), s.source, t(formatValue(k.unit, s.value)), `<span class="${s.status}">${RESULT[s.status]}</span>`, t(ev.join('; '))];
    })));
  }
  parts.push('</div>');
  return parts.join('\n');
}

/** Cells are already escaped HTML. */
function table(head: readonly string[], rows: readonly string[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${t(h)}</th>`).join('')}</tr></thead><tbody>`
    + rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')
    + '</tbody></table>';
}
