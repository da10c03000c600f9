/**
 * Where a compliance report reads sample-based KPIs from: daily aggregates
 * over [from, to), so both sources give the report the same shape and the
 * period totals are computed in one place (build-report.ts).
 *
 * Days are UTC days, identified by the epoch ms of their midnight.
 */
export interface ReportSource {
  /** `influx` or `embedded`, shown in the report. */
  readonly mode: 'influx' | 'embedded';
  /** What this source can and cannot see, for the report's notes. */
  notes(from: number, to: number): string[];
  /** Pushed `kpi` readings (field `value`) per day, KPI id and scope. */
  kpiDays(from: number, to: number): Promise<KpiDay[]>;
  /** Voice counters (per-poll deltas) summed per day and target. */
  voiceDays(from: number, to: number): Promise<VoiceDay[]>;
  /** Chapter-5.1 figures of polled samples (store/polled-parts.ts) per KPI, target and series. */
  polled(from: number, to: number): Promise<PolledSeries[]>;
  /** When kpid first received a sample of each target, interface and probe (the rollup's first_seen). */
  firstSeen(): Promise<FirstSeen[]>;
  close(): Promise<void>;
}

export interface ReadingStats {
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  /** The newest reading. */
  readonly last: number;
}

export interface KpiDay extends ReadingStats {
  readonly day: number;
  readonly kpi: string;
  readonly scope: string;
}

export interface CallCounts {
  readonly attempts: number;
  readonly answered: number;
  readonly dropped: number;
}

export interface VoiceDay extends CallCounts {
  readonly day: number;
  readonly target: string;
}

/**
 * One polled series over the period: `value` is the 95th percentile for
 * utilisation, packets lost ÷ sent for loss, the mean of the readings for
 * the rest; `days` the same figure per UTC day.
 */
export interface PolledSeries {
  readonly kpi: string;
  readonly target: string;
  /** "Gi0/1 in", "Gi0/1 out errors", or a probe name. */
  readonly series: string;
  readonly value: number;
  readonly readings: ReadingStats;
  readonly days: ReadonlyArray<{ readonly day: number; readonly value: number }>;
}

/** `series` is '' for the target itself, `interface=NAME` or `probe=NAME`. */
export interface FirstSeen {
  readonly target: string;
  readonly series: string;
  readonly at: number;
}

/** A source with nothing to report (state in Redis and no InfluxDB). */
export class NoReportSource implements ReportSource {
  readonly mode = 'embedded' as const;
  constructor(private readonly why: string) {}
  notes(): string[] {
    return [this.why];
  }
  async kpiDays(): Promise<KpiDay[]> {
    return [];
  }
  async voiceDays(): Promise<VoiceDay[]> {
    return [];
  }
  async polled(): Promise<PolledSeries[]> {
    return [];
  }
  async firstSeen(): Promise<FirstSeen[]> {
    return [];
  }
  async close(): Promise<void> {}
}
