import type { ComplianceReport } from './report-model.js';
import { renderCsv } from './render-csv.js';
import { renderHtml } from './render-html.js';
import { renderJson } from './render-json.js';
import { renderMarkdown } from './render-markdown.js';

export const REPORT_FORMATS = ['md', 'csv', 'json', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function isReportFormat(text: string): text is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(text);
}

export const CONTENT_TYPES: Readonly<Record<ReportFormat, string>> = {
  md: 'text/markdown; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

export function renderReport(report: ComplianceReport, format: ReportFormat): string {
  switch (format) {
    case 'md': return renderMarkdown(report);
    case 'csv': return renderCsv(report);
    case 'json': return renderJson(report);
    case 'html': return renderHtml(report);
  }
}
