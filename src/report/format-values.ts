import type { KpiDefinition } from '../core/kpi-catalogue.js';

/**
 * Values in the operator's units for the text formats (Markdown, CSV, HTML):
 * ratios as percentages, seconds as durations, rates in Mbit/s. JSON keeps
 * kpid's base units.
 */
export function formatValue(unit: KpiDefinition['unit'], value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  switch (unit) {
    case 'ratio': return `${trim((value * 100).toFixed(4))}%`;
    case 'seconds': return value < 1 && value > 0 ? `${trim((value * 1000).toFixed(1))}ms` : formatDuration(value);
    case 'bits_per_second': return `${trim((value / 1e6).toFixed(3))}Mbit/s`;
    case 'count': return trim(value.toFixed(3));
  }
}

/** 3725 → "1h 2m 5s"; 0 → "0s". */
export function formatDuration(seconds: number): string {
  let s = Math.round(seconds);
  const d = Math.floor(s / 86_400); s -= d * 86_400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  const parts = [d && `${d}d`, h && `${h}h`, m && `${m}m`, s && `${s}s`].filter(Boolean);
  return parts.length ? parts.join(' ') : '0s';
}

/** "2m from 2026-01-01T00:00:10.000Z (first sample)". */
export function monitoredText(s: { monitoredSeconds: number; monitoredFrom: string; monitoredSince: string }): string {
  const why = { first_sample: 'first sample', first_outage: 'first outage', unknown: 'period start; first sample not recorded' }[s.monitoredSince] ?? s.monitoredSince;
  return `${formatDuration(s.monitoredSeconds)} from ${s.monitoredFrom} (${why})`;
}

function trim(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}
