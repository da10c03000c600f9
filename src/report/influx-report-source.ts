import type { InfluxConnection } from '../core/influx-connection.js';
import { KpidError, errorMessage } from '../core/errors.js';
import { NO_SCOPE } from '../store/kpi-rollup.js';
import { readFirstSeen } from './embedded-report-source.js';
import { influxPolled, rowsOf as rows, type InfluxSeries as Series } from './influx-polled.js';
import type { FirstSeen, KpiDay, PolledSeries, ReportSource, VoiceDay } from './report-source.js';

/** The report's own InfluxDB options (src/report/report-options.ts maps them from config). */
export interface InfluxReportOptions extends InfluxConnection {
  /** The policy kpid writes to (storage.influx.retention_policy when retention is set); none means the default. */
  readonly retentionPolicy?: string;
  /** One query taking longer fails the report, ms. Default 30,000. */
  readonly timeoutMs?: number;
  /** state.sqlite, whose rollup records when each target was first seen; none: not known. */
  readonly stateFile?: string;
}

/**
 * Reads sample KPIs from InfluxDB 1.x with InfluxQL over HTTP: daily buckets
 * (`GROUP BY time(1d)`, aligned to UTC midnight) clipped exactly to
 * [from, to), so it reports anything still in retention at the
 * resolution of the raw points.
 */
export class InfluxReportSource implements ReportSource {
  readonly mode = 'influx' as const;

  constructor(private readonly o: InfluxReportOptions) {}

  notes(): string[] {
    return [`samples from InfluxDB ${this.o.url}, database ${this.o.database}: every raw point still in retention, clipped to the period exactly`];
  }

  async kpiDays(from: number, to: number): Promise<KpiDay[]> {
    const q = `SELECT count("value") AS "count", sum("value") AS "sum", min("value") AS "min", max("value") AS "max", last("value") AS "last"`
      + ` FROM ${this.from('kpi')} WHERE ${window(from, to)} GROUP BY time(1d), "kpi", "scope" fill(none)`;
    const out: KpiDay[] = [];
    for (const s of await this.query(q)) {
      const kpi = s.tags?.kpi;
      if (!kpi) continue;
      const scope = s.tags?.scope || NO_SCOPE;
      for (const row of rows(s)) {
        if (!row.count) continue;
        out.push({ day: row.time!, kpi, scope, count: row.count, sum: row.sum ?? 0, min: row.min ?? 0, max: row.max ?? 0, last: row.last ?? 0 });
      }
    }
    return out.sort((a, b) => a.day - b.day || cmp(a.kpi, b.kpi) || cmp(a.scope, b.scope));
  }

  async voiceDays(from: number, to: number): Promise<VoiceDay[]> {
    const q = `SELECT sum("call_attempts") AS "attempts", sum("calls_answered") AS "answered", sum("calls_dropped") AS "dropped"`
      + ` FROM ${this.from('voice')} WHERE ${window(from, to)} GROUP BY time(1d), "target" fill(none)`;
    const out: VoiceDay[] = [];
    for (const s of await this.query(q)) {
      const target = s.tags?.target || NO_SCOPE;
      for (const row of rows(s)) {
        out.push({ day: row.time!, target, attempts: row.attempts ?? 0, answered: row.answered ?? 0, dropped: row.dropped ?? 0 });
      }
    }
    return out.sort((a, b) => a.day - b.day || cmp(a.target, b.target));
  }

  async polled(from: number, to: number): Promise<PolledSeries[]> {
    return influxPolled({ query: (q) => this.query(q), from: (m) => this.from(m) }, window(from, to));
  }

  async firstSeen(): Promise<FirstSeen[]> {
    return this.o.stateFile ? readFirstSeen(this.o.stateFile) : [];
  }

  async close(): Promise<void> {}

  private from(measurement: string): string {
    // Database and policy names are identifiers (config validates them), so quoting is enough.
    return this.o.retentionPolicy
      ? `"${this.o.database}"."${this.o.retentionPolicy}"."${measurement}"`
      : `"${measurement}"`;
  }

  private async query(q: string): Promise<Series[]> {
    const url = new URL('/query', this.o.url);
    url.searchParams.set('db', this.o.database);
    url.searchParams.set('epoch', 'ms');
    url.searchParams.set('q', q);
    const headers: Record<string, string> = {};
    if (this.o.username !== undefined) {
      headers.authorization = `Basic ${Buffer.from(`${this.o.username}:${this.o.password ?? ''}`).toString('base64')}`;
    }
    const context = { url: this.o.url, database: this.o.database };
    let body: { results?: Array<{ series?: Series[]; error?: string }>; error?: string };
    try {
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(this.o.timeoutMs ?? 30_000) });
      const text = await res.text();
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        throw new KpidError('influx_query_failed', `InfluxDB answered ${res.status}: ${text.slice(0, 200)}`, context);
      }
    } catch (err) {
      if (err instanceof KpidError) throw err;
      throw new KpidError('influx_unreachable', `cannot query InfluxDB at ${this.o.url}: ${errorMessage(err)}`, context);
    }
    const error = body.error ?? body.results?.[0]?.error;
    if (error) throw new KpidError('influx_query_failed', `InfluxDB refused the report query: ${error}`, context);
    return body.results?.[0]?.series ?? [];
  }
}

/** InfluxQL time condition for [from, to), epoch ms. */
function window(from: number, to: number): string {
  return `time >= ${Math.trunc(from)}ms AND time < ${Math.trunc(to)}ms`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
