import { NO_SCOPE } from '../store/kpi-rollup.js';
import { POLLED_PARTS, type PolledPart } from '../store/polled-parts.js';
import { polledFigure } from './polled-figures.js';
import type { PolledSeries } from './report-source.js';

export interface InfluxSeries {
  tags?: Record<string, string>;
  columns: string[];
  values: Array<Array<number | null>>;
}

/** Runs one InfluxQL query; `from` quotes a measurement with the database and policy. */
export interface InfluxQuery {
  query(q: string): Promise<InfluxSeries[]>;
  from(measurement: string): string;
}

interface Stats { count: number; sum: number; min: number; max: number; last: number; p95?: number; sent: number; lost: number }

/**
 * The chapter-5.1 figures of polled samples straight from the raw points:
 * daily count/sum/min/max/last per field (GROUP BY time(1d), target and
 * interface or probe), InfluxDB's exact 95th percentile for utilisation
 * (per day, and once more over the whole period, since percentiles do not
 * add up), and for loss only the probes that sent packets.
 */
export async function influxPolled(db: InfluxQuery, window: string): Promise<PolledSeries[]> {
  const iface = POLLED_PARTS.filter((p) => p.measurement === 'interface');
  const probe = POLLED_PARTS.filter((p) => p.measurement === 'probe' && p.kpi !== 'packet_loss');
  const loss = POLLED_PARTS.filter((p) => p.kpi === 'packet_loss');
  const util = iface.filter((p) => p.kpi === 'bandwidth_utilisation');
  const stats = (parts: readonly PolledPart[], extra = '') => parts.map((p, i) => [
    `count("${p.field}") AS "count_${i}"`, `sum("${p.field}") AS "sum_${i}"`, `min("${p.field}") AS "min_${i}"`,
    `max("${p.field}") AS "max_${i}"`, `last("${p.field}") AS "last_${i}"`,
    ...(p.kpi === 'bandwidth_utilisation' ? [`percentile("${p.field}", 95) AS "p95_${i}"`] : []),
  ].join(', ')).join(', ') + extra;
  const [ifDays, ifPeriod, probeDays, lossDays] = await Promise.all([
    db.query(`SELECT ${stats(iface)} FROM ${db.from('interface')} WHERE ${window} GROUP BY time(1d), "target", "interface" fill(none)`),
    db.query(`SELECT ${util.map((p, i) => `percentile("${p.field}", 95) AS "p95_${i}"`).join(', ')} FROM ${db.from('interface')} WHERE ${window} GROUP BY "target", "interface"`),
    db.query(`SELECT ${stats(probe)} FROM ${db.from('probe')} WHERE ${window} GROUP BY time(1d), "target", "probe" fill(none)`),
    db.query(`SELECT ${stats(loss, ', sum("sent") AS "sent", sum("received") AS "received"')} FROM ${db.from('probe')} WHERE ${window} AND "sent" > 0 GROUP BY time(1d), "target", "probe" fill(none)`),
  ]);

  const periodP95 = new Map<string, number>();
  for (const s of ifPeriod) {
    const row = rowsOf(s)[0];
    util.forEach((p, i) => {
      const v = row?.[`p95_${i}`];
      if (typeof v === 'number') periodP95.set(key(p, s.tags?.target, seriesName(p, s.tags)), v);
    });
  }
  const days = new Map<string, { part: PolledPart; target: string; series: string; days: Array<Stats & { day: number }> }>();
  const collect = (series: InfluxSeries[], parts: readonly PolledPart[]) => {
    for (const s of series) {
      const target = s.tags?.target || NO_SCOPE;
      for (const row of rowsOf(s)) {
        parts.forEach((p, i) => {
          const count = row[`count_${i}`];
          if (!count) return;
          const name = seriesName(p, s.tags);
          const k = key(p, target, name);
          const entry = days.get(k) ?? { part: p, target, series: name, days: [] };
          days.set(k, entry);
          const sent = p.kpi === 'packet_loss' ? (row.sent ?? 0) : 0;
          entry.days.push({
            day: row.time!, count, sum: row[`sum_${i}`] ?? 0, min: row[`min_${i}`] ?? 0, max: row[`max_${i}`] ?? 0, last: row[`last_${i}`] ?? 0,
            ...(typeof row[`p95_${i}`] === 'number' ? { p95: row[`p95_${i}`]! } : {}),
            sent, lost: p.kpi === 'packet_loss' ? sent - (row.received ?? 0) : 0,
          });
        });
      }
    }
  };
  collect(ifDays, iface);
  collect(probeDays, probe);
  collect(lossDays, loss);

  return [...days.entries()].map(([k, e]) => {
    const d = e.days.sort((a, b) => a.day - b.day);
    const total = { sum: sumOf(d, 'sum'), count: sumOf(d, 'count'), sent: sumOf(d, 'sent'), lost: sumOf(d, 'lost') };
    return {
      kpi: e.part.kpi, target: e.target, series: e.series,
      value: polledFigure(e.part.kpi, total, periodP95.get(k)),
      readings: { ...total, min: Math.min(...d.map((x) => x.min)), max: Math.max(...d.map((x) => x.max)), last: d[d.length - 1]!.last },
      days: d.map((x) => ({ day: x.day, value: polledFigure(e.part.kpi, x, x.p95) })),
    };
  }).sort((a, b) => cmp(a.kpi, b.kpi) || cmp(a.target, b.target) || cmp(a.series, b.series));
}

function seriesName(p: PolledPart, tags: Record<string, string> | undefined): string {
  return p.measurement === 'interface' ? `${tags?.interface ?? ''} ${p.part}` : (tags?.probe ?? '');
}

function key(p: PolledPart, target: string | undefined, series: string): string {
  return `${p.kpi}\u0000${target || NO_SCOPE}\u0000${series}`;
}

function sumOf<T extends Record<K, number>, K extends string>(rows: readonly T[], k: K): number {
  return rows.reduce((s, r) => s + r[k], 0);
}

export function rowsOf(s: InfluxSeries): Array<Record<string, number | null>> {
  return s.values.map((v) => Object.fromEntries(s.columns.map((c, i) => [c, v[i] ?? null])));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
