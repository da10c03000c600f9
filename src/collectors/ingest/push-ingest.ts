import type { Clock } from '../../core/clock.js';
import { seriesKey, type Sample } from '../../core/sample.js';
import { parseJsonSample } from './json-samples.js';
import { parseLine, PRECISION_MS, type ParsedLine, type Precision } from './line-protocol-parser.js';

export interface IngestLimits {
  /** Most samples one request may carry; a larger request is refused whole. */
  readonly maxSamplesPerRequest: number;
  /** Distinct series (measurement + tags) a measurement may gain by push. */
  readonly maxSeriesPerMeasurement: number;
}

export interface Rejection {
  /** 1-based line of a line-protocol body, or 0-based index of a JSON array. */
  readonly line?: number;
  readonly index?: number;
  readonly reason: string;
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
  private readonly series = new Map<string, Set<string>>();

  constructor(
    private limits: IngestLimits,
    private readonly clock: Clock,
  ) {}

  setLimits(limits: IngestLimits): void {
    this.limits = limits;
  }

  parse(body: string, contentType: string, precisionParam: string | null): IngestResult {
    const now = this.clock.now();
    const isJson = /json/i.test(contentType) || /^\s*[[{]/.test(body);
    const parsed: Array<{ at: Rejection['line'] | Rejection['index']; key: 'line' | 'index'; r: ParsedLine }> = [];
    if (isJson) {
      let data: unknown;
      try {
        data = JSON.parse(body);
      } catch (err) {
        throw new IngestRefused(400, 'bad_json', `body is not valid JSON: ${(err as Error).message}`);
      }
      const items = Array.isArray(data) ? data : [data];
      this.checkCount(items.length);
      items.forEach((item, index) => parsed.push({ at: index, key: 'index', r: parseJsonSample(item, now) }));
    } else {
      const precision = (precisionParam ?? 'ns') as Precision;
      if (!(precision in PRECISION_MS)) {
        throw new IngestRefused(400, 'bad_precision', `precision "${precisionParam}" is not one of ${Object.keys(PRECISION_MS).join(', ')}`);
      }
      const lines = body.split('\n');
      const meaningful = lines.filter((l) => l.trim() && !l.trimStart().startsWith('#')).length;
      this.checkCount(meaningful);
      lines.forEach((text, i) => {
        const line = text.replace(/\r$/, '');
        if (!line.trim() || line.trimStart().startsWith('#')) return;
        parsed.push({ at: i + 1, key: 'line', r: parseLine(line, precision, now) });
      });
    }
    const samples: Sample[] = [];
    const rejected: Rejection[] = [];
    for (const { at, key, r } of parsed) {
      const reason = r.ok ? this.admit(r.sample) : r.reason;
      if (reason) rejected.push({ [key]: at, reason });
      else if (r.ok) samples.push(r.sample);
    }
    return { accepted: samples.length, rejected, samples };
  }

  private checkCount(n: number): void {
    if (n > this.limits.maxSamplesPerRequest) {
      throw new IngestRefused(413, 'too_many_samples',
        `request carries ${n} samples; the limit is ${this.limits.maxSamplesPerRequest} (ingest.max_samples_per_request)`);
    }
  }

  /** The cardinality guard: undefined when admitted, else why not. */
  private admit(sample: Sample): string | undefined {
    let known = this.series.get(sample.measurement);
    if (!known) this.series.set(sample.measurement, (known = new Set()));
    const key = seriesKey(sample);
    if (known.has(key)) return undefined;
    if (known.size >= this.limits.maxSeriesPerMeasurement) {
      return `measurement "${sample.measurement}" already has ${known.size} series from ingest (ingest.max_series_per_measurement)`;
    }
    known.add(key);
    return undefined;
  }
}
