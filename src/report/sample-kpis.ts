import type { KpiDefinition } from '../core/kpi-catalogue.js';
import { formatValue } from './format-values.js';
import { combine, dayKey, judge, periodBasis, periodFigure, worstOf } from './judge.js';
import type { Failure, MeasuredKpi, ScopeResult } from './report-model.js';
import type { CallCounts, KpiDay, PolledSeries, VoiceDay } from './report-source.js';

/** The KPIs voice counters measure: numerator ÷ call attempts. */
const VOICE_RATIOS: Readonly<Record<string, { numerator: 'dropped' | 'answered'; words: string }>> = {
  call_drop_rate: { numerator: 'dropped', words: 'calls dropped ÷ call attempts' },
  call_answer_rate: { numerator: 'answered', words: 'calls answered ÷ call attempts' },
};

export interface SampleData {
  readonly kpiDays: readonly KpiDay[];
  readonly voiceDays: readonly VoiceDay[];
  readonly polled: readonly PolledSeries[];
  /** UTC midnights of the period's days. */
  readonly days: readonly number[];
}

/** How a chapter-5.1 KPI is figured from kpid's own polled samples (store/polled-parts.ts). */
const POLLED_BASIS: Readonly<Record<string, string>> = {
  bandwidth_utilisation: '95th percentile of the per-poll utilisation per interface and direction (embedded rollup: rounded up to the whole percent)',
  latency: 'mean probe round trip per target and probe',
  packet_loss: 'packets lost ÷ packets sent per target and probe',
  jitter: 'mean probe jitter per target and probe',
  interface_errors: 'mean of the per-poll error ratio and of the discard ratio per interface and direction',
  avg_data_rate: 'mean download goodput of the throughput probes per target and probe',
};

/**
 * A KPI measured from samples: pushed `kpi` readings per scope, for the
 * call ratios also the voice counters per switch, and for chapter 5.1 the
 * polled interface and probe samples (a pushed scope of the same name
 * takes the place of a polled one). The headline is the counters' ratio
 * over the period and every switch when there were calls, else the worst
 * scope's figure.
 */
export function sampleKpi(def: KpiDefinition, data: SampleData): MeasuredKpi {
  const voice = VOICE_RATIOS[def.id];
  const pushed = pushedScopes(def, data.kpiDays.filter((d) => d.kpi === def.id));
  const counted = voice ? counterScopes(def, voice.numerator, data.voiceDays) : [];
  const pushedNames = new Set(pushed.map((s) => s.scope));
  const polledSeries = data.polled.filter((p) => p.kpi === def.id && !pushedNames.has(`${p.target}/${p.series}`));
  const polled = polledSeries.map((p) => polledScope(def, p));
  const measured = [...polled, ...pushed];
  const scopes = [...counted, ...measured];
  const counts = voice ? sumCounts(data.voiceDays) : undefined;

  let value: number | null = null;
  let basis: string;
  let reason: string | undefined;
  if (voice && counts && counts.attempts > 0) {
    value = counts[voice.numerator] / counts.attempts;
    basis = `${voice.words}, summed over the period and every switch`;
  } else if (def.id === 'avg_data_rate' && polled.length > 0 && pushed.length === 0) {
    // The rate users get is an average over users, not the worst probe: every reading of every probe counts once.
    value = meanOfReadings(polledSeries);
    basis = `mean of every throughput probe reading over the period and every target; per scope: ${POLLED_BASIS[def.id]}`;
  } else {
    const values = measured.map((s) => s.value).filter((v): v is number => v !== null);
    value = worstOf(def.target, values) ?? null;
    const polledBasis = POLLED_BASIS[def.id];
    basis = polledBasis
      ? `worst scope; polled scopes: ${polledBasis}; pushed scopes: the ${periodBasis(def.unit)} pushed as kpi=${def.id}`
      : `worst scope; per scope the ${periodBasis(def.unit)} pushed as kpi=${def.id}`;
    if (value === null) {
      reason = voice
        ? `no call attempts in the voice counters and no kpi=${def.id} readings in the period`
        : polledBasis ? `no polled samples and no kpi=${def.id} readings in the period` : `no kpi=${def.id} readings in the period`;
    }
  }

  const headline = judge(def.target, value);
  const status = headline === 'no_data' ? 'no_data' : combine([headline, ...scopes.map((s) => s.status)]);
  const failures: Failure[] = scopes.filter((s) => s.status === 'fail').map((s) => ({
    scope: s.scope, target: s.target ?? s.scope,
    value: s.value,
    detail: `${s.scope} (${s.source}): ${formatValue(def.unit, s.value)} against ${def.target.text}; ${s.failingDays} of ${s.days} days missed the target`,
    days: s.failingDays ?? 0,
  }));
  if (headline === 'fail' && failures.length === 0) {
    failures.push({ scope: 'overall', target: 'overall', value, detail: `overall ${formatValue(def.unit, value)} against ${def.target.text}` });
  }

  const daily = data.days.map((day) => {
    const calls = voice ? sumCounts(data.voiceDays.filter((v) => v.day === day)) : undefined;
    if (voice && calls && counts && counts.attempts > 0) {
      return { day: dayKey(day), value: calls.attempts > 0 ? calls[voice.numerator] / calls.attempts : null };
    }
    const figures = data.kpiDays.filter((d) => d.kpi === def.id && d.day === day).map((d) => periodFigure(def.unit, d));
    for (const p of polledSeries) figures.push(...p.days.filter((d) => d.day === day).map((d) => d.value));
    return { day: dayKey(day), value: worstOf(def.target, figures) ?? null };
  });

  return {
    id: def.id, name: def.name, chapter: def.chapter, unit: def.unit,
    target: { text: def.target.text, op: def.target.op, value: def.target.value },
    value, status, ...(reason ? { reason } : {}), basis,
    ...(counts ? { counts } : {}),
    scopes, failures, daily,
  };
}

function pushedScopes(def: KpiDefinition, days: readonly KpiDay[]): ScopeResult[] {
  const byScope = groupBy(days, (d) => d.scope);
  return [...byScope].map(([scope, rows]) => {
    const count = sum(rows.map((r) => r.count));
    const total = sum(rows.map((r) => r.sum));
    const min = Math.min(...rows.map((r) => r.min));
    const max = Math.max(...rows.map((r) => r.max));
    const last = rows.reduce((a, b) => (b.day >= a.day ? b : a)).last;
    const value = periodFigure(def.unit, { sum: total, count, max });
    return {
      scope, source: 'pushed', value, status: judge(def.target, value),
      readings: { count, min, max, mean: total / count, last },
      days: rows.length,
      failingDays: rows.filter((r) => judge(def.target, periodFigure(def.unit, r)) === 'fail').length,
    };
  });
}

function polledScope(def: KpiDefinition, p: PolledSeries): ScopeResult {
  const r = p.readings;
  return {
    scope: `${p.target}/${p.series}`, source: 'polled', target: p.target, value: p.value, status: judge(def.target, p.value),
    readings: { count: r.count, min: r.min, max: r.max, mean: r.sum / r.count, last: r.last },
    days: p.days.length,
    failingDays: p.days.filter((d) => judge(def.target, d.value) === 'fail').length,
  };
}

function counterScopes(def: KpiDefinition, numerator: 'dropped' | 'answered', days: readonly VoiceDay[]): ScopeResult[] {
  const byTarget = groupBy(days, (d) => d.target);
  return [...byTarget].map(([scope, rows]) => {
    const counts = sumCounts(rows);
    const value = counts.attempts > 0 ? counts[numerator] / counts.attempts : null;
    const withCalls = rows.filter((r) => r.attempts > 0);
    return {
      scope, source: 'counters', value, status: judge(def.target, value), counts,
      days: withCalls.length,
      failingDays: withCalls.filter((r) => judge(def.target, r[numerator] / r.attempts) === 'fail').length,
    };
  });
}

function sumCounts(rows: readonly CallCounts[]): CallCounts {
  return {
    attempts: sum(rows.map((r) => r.attempts)),
    answered: sum(rows.map((r) => r.answered)),
    dropped: sum(rows.map((r) => r.dropped)),
  };
}

function meanOfReadings(series: readonly PolledSeries[]): number {
  const count = sum(series.map((p) => p.readings.count));
  return Number((sum(series.map((p) => p.readings.sum)) / count).toPrecision(12));
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function groupBy<T>(rows: readonly T[], key: (r: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}
