import type { Notification } from '../core/alert.js';
import type { Operator } from '../core/comparison.js';
import { DEFAULT_KPIS, type KpiDefinition } from '../core/kpi-catalogue.js';

/**
 * The words on-call staff read: values in the KPI catalogue's language and
 * units, state KPIs as states, times as clock times in UTC, durations as
 * people say them. Pure functions of the notification and `now`.
 */

/** KPIs whose value is a state (1 up, 0 down), not a measurement. */
const STATE_KPIS: Record<string, { down: (n: Notification) => string; up: string }> = {
  device_unreachable: {
    down: (n) => `not answering SNMP or ping${n.evidenceSamples ? ` (${n.evidenceSamples} misses)` : ''}`,
    up: 'answering again',
  },
  link_down: { down: () => 'operationally down, admin up', up: 'operationally up again' },
};

const OP_WORD: Record<Operator, string> = {
  '<': 'below', '<=': 'at most', '>': 'above', '>=': 'at least', '==': 'exactly', '!=': 'not',
};

/** Whether the alert is about something being down (a device, a link) rather than a figure out of bounds. */
export function isDownState(n: Notification): boolean {
  return n.kpi !== undefined && n.kpi in STATE_KPIS;
}

/**
 * The value against its target in words: "call drop rate 1.27 % (target
 * below 0.5 %)", "not answering SNMP or ping (3 misses)". Undefined when the
 * notification carries no value.
 */
export function valuePhrase(n: Notification): string | undefined {
  if (n.value === undefined) return undefined;
  const kpi = n.kpi ? DEFAULT_KPIS.get(n.kpi) : undefined;
  const state = n.kpi ? STATE_KPIS[n.kpi] : undefined;
  if (state) return n.kind === 'resolved' ? state.up : state.down(n);
  if (!kpi) return `value ${plain(n.value)}${n.threshold !== undefined ? ` (threshold ${plain(n.threshold)})` : ''}`;
  const levels = kpi.warning || kpi.critical;
  const target = `target ${OP_WORD[kpi.target.op]} ${inUnit(kpi, levels || n.threshold === undefined ? kpi.target.value : n.threshold)}`;
  // 5.1 KPIs alert at their warning/critical levels, which differ from the target.
  const limit = levels && n.threshold !== undefined ? `alert level ${inUnit(kpi, n.threshold)}; ` : '';
  return `${kpi.name} ${inUnit(kpi, n.value)} (${limit}${target})`;
}

/** A value in the catalogue's unit: ratios as percent, seconds as ms or minutes, rates in bit/s. */
export function inUnit(kpi: Pick<KpiDefinition, 'unit'>, v: number): string {
  switch (kpi.unit) {
    case 'ratio': return `${plain(v * 100)} %`;
    case 'seconds': return v < 1 ? `${plain(v * 1000)} ms` : v < 120 ? `${plain(v)} s` : `${plain(v / 60)} min`;
    case 'bits_per_second': return v >= 1e9 ? `${plain(v / 1e9)} Gbit/s` : v >= 1e6 ? `${plain(v / 1e6)} Mbit/s` : `${plain(v / 1e3)} kbit/s`;
    case 'count': return plain(v);
  }
}

function plain(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(3)));
}

/** When the problem truly began: the outage's start or the first failing sample, else when it fired. */
export function trueSince(n: Notification): number {
  return Math.min(n.since ?? n.startsAt, n.outage?.startedAt ?? Infinity, n.startsAt);
}

/** "02:49:15 UTC", with the date in front when it is not today's (UTC). */
export function clock(ms: number, now: number): string {
  const iso = new Date(ms).toISOString();
  const sameDay = iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10);
  return `${sameDay ? '' : `${iso.slice(0, 10)} `}${iso.slice(11, 19)} UTC`;
}

/** "03:19" for texts where the seconds are noise. */
export function hhmm(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

/**
 * A duration as said aloud: "29s", "4m10s" under ten minutes, "29m", "1h5m",
 * "2d3h". Rounded down: "29m left" is never more than is left.
 */
export function spoken(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  return h % 24 ? `${Math.floor(h / 24)}d${h % 24}h` : `${Math.floor(h / 24)}d`;
}

/** "15 and 25 min" */
export function minutesList(ms: readonly number[]): string {
  const m = ms.map((x) => String(Math.round(x / 60_000)));
  return m.length <= 1 ? `${m.join('')} min` : `${m.slice(0, -1).join(', ')} and ${m.at(-1)} min`;
}

/** The labels that say where a problem is, most specific last. */
const WHERE_LABELS = ['site', 'target', 'device', 'instance', 'interface', 'probe', 'service'];

export function where(n: Notification): string {
  const parts = WHERE_LABELS.map((k) => n.labels[k]).filter((v): v is string => !!v);
  // An outage's service is usually site/target already: say each place once.
  const seen = new Set<string>();
  const out: string[] = [];
  for (const p of parts) {
    const pieces = p.split('/');
    if (pieces.every((x) => seen.has(x))) continue;
    for (const x of pieces) seen.add(x);
    out.push(p);
  }
  return out.length ? out.join('/') : 'kpid';
}
