import { formatDuration, formatValue, monitoredText } from './format-values.js';
import type { ComplianceReport, FailedKpi, KpiResult } from './report-model.js';
import { trendText } from './period-trend.js';

const RESULT = { pass: 'PASS', fail: '**FAIL**', no_data: 'no data' } as const;

/** The report as Markdown, for a wiki, a ticket or a mail. */
export function renderMarkdown(r: ComplianceReport): string {
  const out: string[] = [];
  out.push('# KPI compliance report', '');
  out.push(`Period: ${r.period.from} to ${r.period.to} (${formatDuration(r.period.seconds)}, end exclusive)  `);
  if (r.period.cutAtNow) out.push(`**Counted up to ${r.period.countedTo} (${formatDuration(r.period.countedSeconds)}): ${esc(r.period.note ?? 'the period has not ended')}.**  `);
  out.push(`Generated: ${r.generatedAt}  `);
  out.push(`Data: outage ledger; samples from ${r.source.mode === 'influx' ? 'InfluxDB' : 'the embedded daily rollup'}`, '');
  out.push(`**${r.summary.fail} of ${r.summary.kpis} KPIs failed**, ${r.summary.pass} passed, ${r.summary.noData} had no data.`, '');

  out.push('## Failed KPIs: where and for how long', '');
  if (r.summary.failed.length === 0) out.push('None.');
  for (const f of r.summary.failed) out.push(...where(f));
  out.push('');

  out.push('## KPIs against their targets', '');
  out.push(`Trend: against the previous period, ${r.period.previous.from} to ${r.period.previous.to}.`, '');
  out.push('| chapter | KPI | target | measured | result | trend | basis |', '|---|---|---|---|---|---|---|');
  for (const k of r.kpis) {
    out.push(`| ${k.chapter} | ${esc(k.name)} (\`${k.id}\`) | ${esc(k.target.text)} | ${formatValue(k.unit, k.value)} | ${RESULT[k.status]} | ${esc(trendText(k.unit, k.trend))} | ${esc(k.reason ?? k.basis)} |`);
  }
  out.push('');

  out.push('## Evidence per KPI', '');
  for (const k of r.kpis) out.push(...evidence(k));

  out.push('## Availability per service', '');
  if (r.availability.length === 0) out.push('No outage in the ledger overlaps the period.');
  else {
    out.push('| service | availability | result | monitored | unplanned downtime | planned downtime (excluded) | unplanned outages | planned outages |', '|---|---|---|---|---|---|---|---|');
    for (const s of r.availability) {
      out.push(`| ${esc(s.service)} | ${formatValue('ratio', s.availability)} | ${RESULT[s.status]} | ${monitoredText(s)} | ${formatDuration(s.unplannedDowntimeSeconds)} | ${formatDuration(s.plannedDowntimeSeconds)} | ${s.unplannedOutages} | ${s.plannedOutages} |`);
    }
  }
  out.push('', `Services that failed availability: ${r.failedServices.length ? r.failedServices.map(esc).join(', ') : 'none'}.`, '');

  out.push('## Outages', '');
  if (r.outages.length === 0) out.push('None.');
  else {
    out.push('| id | service | start | restored | duration | recovery target | met | planned |', '|---|---|---|---|---|---|---|---|');
    for (const o of r.outages) {
      const met = o.met === null ? (o.planned ? 'not judged' : 'running') : o.met ? 'met' : '**missed**';
      out.push(`| ${esc(o.id)} | ${esc(o.service)} | ${o.startedAt} | ${o.restoredAt ?? (o.endedByRemovalAt ? `ended by removal ${o.endedByRemovalAt}` : 'open')} | ${formatDuration(o.durationSeconds)} | ${formatDuration(o.recoveryTargetSeconds)} | ${met} | ${o.planned ? 'yes' : 'no'} |`);
    }
  }
  out.push('');

  out.push('## Excluded maintenance', '');
  if (r.maintenance.length === 0) out.push('None.');
  else {
    out.push('| id | service | start | end | excluded |', '|---|---|---|---|---|');
    for (const m of r.maintenance) {
      out.push(`| ${esc(m.id)} | ${esc(m.service)} | ${m.startedAt} | ${m.restoredAt ?? 'open'} | ${formatDuration(m.excludedSeconds)} |`);
    }
  }
  out.push('', '## Notes', '');
  for (const n of r.source.notes) out.push(`- ${esc(n)}`);
  return `${out.join('\n')}\n`;
}

/** A failed KPI's "where": by target, worst first; a target with one failure is one line. */
function where(f: FailedKpi): string[] {
  const targets = f.where.length + f.moreTargets;
  const out = [`- **${esc(f.name)}** (\`${f.kpi}\`): ${f.failures.length} failure(s) on ${targets} target(s)`];
  for (const t of f.where) {
    if (t.count === 1) {
      out.push(`  - ${esc(t.failures[0]!.detail)}`);
      continue;
    }
    out.push(`  - **${esc(t.target)}**: ${t.count} failures, worst first`);
    for (const x of t.failures) out.push(`    - ${esc(x.detail)}`);
    if (t.more) out.push(`    - … and ${t.more} more on ${esc(t.target)}`);
  }
  if (f.moreTargets) out.push(`  - … and ${f.moreTargets} more target(s) (every failure is in the evidence below)`);
  return out;
}

function evidence(k: KpiResult): string[] {
  const out = [`### ${esc(k.name)} (\`${k.id}\`): ${RESULT[k.status]}`, ''];
  out.push(`Target ${esc(k.target.text)}; measured ${formatValue(k.unit, k.value)} (${esc(k.basis)}).`);
  if (k.reason) out.push(`${esc(k.reason)}.`);
  if (k.counts) out.push(`Calls: ${k.counts.attempts} attempts, ${k.counts.answered} answered, ${k.counts.dropped} dropped.`);
  out.push('');
  if (k.scopes.length) {
    out.push('| scope | source | value | result | evidence |', '|---|---|---|---|---|');
    for (const s of k.scopes) {
      const parts: string[] = [];
      if (s.counts) parts.push(`${s.counts.attempts} attempts, ${s.counts.answered} answered, ${s.counts.dropped} dropped`);
      if (s.readings) {
        const f = (v: number) => formatValue(k.unit, v);
        parts.push(`${s.readings.count} readings, min ${f(s.readings.min)}, max ${f(s.readings.max)}, mean ${f(s.readings.mean)}, last ${f(s.readings.last)}`);
      }
      if (s.days !== undefined) parts.push(`${s.failingDays} of ${s.days} days missed`);
      out.push(`| ${esc(s.scope)} | ${s.source} | ${formatValue(k.unit, s.value)} | ${RESULT[s.status]} | ${parts.join('; ')} |`);
    }
    out.push('');
  }
  return out;
}

/** Table cells and text: a `|` or a line break would break the table, a `<` before a letter could open HTML (`< 0.5%` cannot). */
function esc(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ').replace(/<(?=[A-Za-z/!?])/g, '&lt;');
}
