import type { ComplianceReport } from './report-model.js';

/** The report as JSON: the shape of report-model.ts, base units, documented in docs/report.md. */
export function renderJson(report: ComplianceReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
