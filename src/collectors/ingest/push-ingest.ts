import { unstorableName } from './storable-names.js';
import type { Clock } from '../../core/clock.js';
import { PeriodicSweep } from '../../core/periodic-sweep.js';
import { formatDuration } from '../../core/duration.js';
import type { Sample } from '../../core/sample.js';
import type { IngestLimits } from './ingest-options.js';
import { CardinalityGuard, type CardinalityLimit } from './cardinality-guard.js';
import { parseJsonSample } from './json-samples.js';
import { KnownSeries, parseLine, PRECISION_MS, type ParsedLine, type Precision } from './line-protocol-parser.js';

export interface Rejection {
  /** 1-based line of a line-protocol body, or 0-based index of a JSON array. */
  readonly line?: number;
  readonly index?: number;
  readonly reason: string;
  /** The config key of the cardinality limit that refused it, e.g. `ingest.max_series`. */
  readonly limit?: string;
}

export interface IngestResult {
  readonly accepted: number;
  readonly rejected: readonly Rejection[];
  readonly samples: readonly Sample[];
}

export class IngestRefused extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/**
 * Push ingest for systems that report KPIs rather than being polled (OSS,
 * CRM, complaint systems). Each line or element is accepted or rejected on
 * its own, with the reason; nothing is half-applied. A cardinality guard
 * stops one misbehaving client from creating unbounded series.
 */
export class PushIngest {
  private readonly guard: CardinalityGuard;
  private readonly sweep: PeriodicSweep;
  private readonly known = new KnownSeries();

  constructor(
    private limits: IngestLimits,
    private readonly clock: Clock,
    /** Told of every sample a cardinality limit refused (kpid_ingest_refused_total). */
    private readonly onRefused: (limit: CardinalityLimit | 'time_window') => void = () => {},
  ) {
    this.guard = new CardinalityGuard(limits);
    this.sweep = new PeriodicSweep(clock, (now) => this.guard.sweep(now));
    this.sweep.note(limits.idleExpiryMs);
    this.sweep.start();
  }

  setLimits(limits: IngestLimits): void {
    this.limits = limits;
    this.guard.setLimits(limits);
    this.sweep.note(limits.idleExpiryMs);
  }

  stop(): void {
    this.sweep.stop();
  }

  /**
   * How long a pushed series lives without a sample, ms
   * (ingest.series_idle_expiry): the guard, the rules and /metrics all
   * forget it then.
   */
  get seriesLifetime(): number {
    return this.limits.idleExpiryMs;
  }

  /** Series and measurements the cardinality guard remembers now. */
  get tracked(): { series: number; measurements: number } {
    return { series: this.guard.size, measurements: this.guard.measurements };
  }

  parse(body: string, contentType: string, precisionParam: string | null): IngestResult {
    const now = this.clock.now();
    const samples: Sample[] = [];
    const rejected: Rejection[] = [];
    const isJson = /json/i.test(contentType) || /^\s*[[{]/.test(body);
    if (isJson) {
      let data: unknown;
      try {
        data = JSON.parse(body);
      } catch (err) {
        throw new IngestRefused(400, 'bad_json', `body is not valid JSON: ${(err as Error).message}`);
      }
      const items = Array.isArray(data) ? data : [data];
      this.checkCount(items.length);
      items.forEach((item, index) => this.take(parseJsonSample(item, now), 'index', index, now, samples, rejected));
    } else {
      const precision = (precisionParam ?? 'ns') as Precision;
      if (!(precision in PRECISION_MS)) {
        throw new IngestRefused(400, 'bad_precision', `precision "${precisionParam}" is not one of ${Object.keys(PRECISION_MS).join(', ')}`);
      }
      const lines = body.split('\n');
      let meaningful = 0;
      for (const line of lines) if (isMeaningful(line)) meaningful++;
      this.checkCount(meaningful);
      for (let i = 0; i < lines.length; i++) {
        let line = lines[i]!;
        if (!isMeaningful(line)) continue;
        if (line.charCodeAt(line.length - 1) === 0x0d) line = line.slice(0, -1);
        this.take(parseLine(line, precision, now, this.known), 'line', i + 1, now, samples, rejected);
      }
    }
    return { accepted: samples.length, rejected, samples };
  }

  /** Accepts one parsed line or element into `samples`, or says in `rejected` why not. */
  private take(r: ParsedLine, key: 'line' | 'index', at: number, now: number, samples: Sample[], rejected: Rejection[]): void {
    if (!r.ok) {
      rejected.push({ [key]: at, reason: r.reason });
      return;
    }
    // A series with a known key was read from text without a backslash: none of its names can hold one.
    const unstorable = r.seriesKey === undefined ? unstorableName(r.sample) : undefined;
    if (unstorable) {
      rejected.push({ [key]: at, reason: unstorable });
      return;
    }
    const late = this.outsideWindow(r.sample.time, now);
    if (late) {
      this.onRefused('time_window');
      rejected.push({ [key]: at, reason: late });
      return;
    }
    const admission = this.guard.admit(r.sample, now, r.seriesKey);
    if (admission.ok) samples.push(r.sample);
    else {
      this.onRefused(admission.limit);
      rejected.push({ [key]: at, reason: admission.reason, limit: `ingest.${admission.limit}` });
    }
  }

  /** Why a timestamp is refused: stamps like 1e300 ms or years old would corrupt storage and SLA figures. */
  private outsideWindow(time: number, now: number): string | undefined {
    const { maxAgeMs, maxFutureMs } = this.limits;
    if (time < now - maxAgeMs) return `timestamp ${stamp(time)} is more than ${formatDuration(maxAgeMs)} in the past (ingest.max_age)`;
    if (time > now + maxFutureMs) return `timestamp ${stamp(time)} is more than ${formatDuration(maxFutureMs)} in the future (ingest.max_future)`;
    return undefined;
  }

  private checkCount(n: number): void {
    if (n > this.limits.maxSamplesPerRequest) {
      throw new IngestRefused(413, 'too_many_samples',
        `request carries ${n} samples; the limit is ${this.limits.maxSamplesPerRequest} (ingest.max_samples_per_request)`);
    }
  }
}

/** A line that holds a point: not blank, not a `#` comment. */
function isMeaningful(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    // What String.prototype.trim skips, in the ASCII range; other blanks are rare enough to count as text.
    if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) continue;
    if (c > 0x7f) return line.trim() !== '' && !line.trimStart().startsWith('#');
    return c !== 0x23; // #
  }
  return false;
}

function stamp(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? `${ms} ms` : d.toISOString();
}
