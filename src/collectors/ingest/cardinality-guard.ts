import { seriesKey, type Sample } from '../../core/sample.js';

/** The three bounds on what push ingest may make kpid remember, with their config keys. */
export interface CardinalityLimits {
  /** Distinct measurements pushed (ingest.max_measurements). Default 1,000. */
  readonly maxMeasurements: number;
  /** Distinct series (measurement + tags) one measurement may gain (ingest.max_series_per_measurement). Default 10,000. */
  readonly maxSeriesPerMeasurement: number;
  /** Distinct series over all measurements (ingest.max_series). Default 100,000. */
  readonly maxSeries: number;
  /** A series not pushed for this long is forgotten and frees its place, ms (ingest.series_idle_expiry). Default 1 hour. */
  readonly idleExpiryMs: number;
}

/** Which limit refused a new series; the label of kpid_ingest_refused_total. */
export type CardinalityLimit = 'max_measurements' | 'max_series_per_measurement' | 'max_series';

export type Admission = { ok: true } | { ok: false; limit: CardinalityLimit; reason: string };

/**
 * Remembers the series push ingest has seen, so that one misbehaving
 * client cannot make kpid remember without end (1.2 million measurement
 * names once took 1.3 GB that was never freed). Known series always pass;
 * a new one passes while all three limits hold. Series idle for
 * `idleExpiryMs` are forgotten, so junk pushed once stops blocking
 * legitimate series an hour later rather than until a restart.
 */
export class CardinalityGuard {
  /** measurement → series key → when it was last pushed (epoch ms). */
  private readonly byMeasurement = new Map<string, Map<string, number>>();
  private total = 0;
  private lastSweep = -Infinity;

  constructor(private limits: CardinalityLimits) {}

  setLimits(limits: CardinalityLimits): void {
    this.limits = limits;
  }

  /** Series remembered now. */
  get size(): number {
    return this.total;
  }

  get measurements(): number {
    return this.byMeasurement.size;
  }

  /** `key`: the sample's seriesKey, when the caller knows it already (push ingest's known series). */
  admit(sample: Pick<Sample, 'measurement' | 'tags'>, now: number, key = seriesKey(sample)): Admission {
    this.sweep(now, false);
    const known = this.byMeasurement.get(sample.measurement);
    const seen = known?.get(key);
    if (seen !== undefined) {
      // One request's samples share `now`: a series pushed again within it needs no second write.
      if (seen !== now) known!.set(key, now);
      return ADMITTED;
    }
    const l = this.limits;
    if (!known && this.byMeasurement.size >= l.maxMeasurements) {
      return refuse('max_measurements', `kpid already has ${this.byMeasurement.size} pushed measurements; "${sample.measurement}" would be one more (ingest.max_measurements)`);
    }
    if (known && known.size >= l.maxSeriesPerMeasurement) {
      return refuse('max_series_per_measurement', `measurement "${sample.measurement}" already has ${known.size} series from ingest (ingest.max_series_per_measurement)`);
    }
    if (this.total >= l.maxSeries) {
      return refuse('max_series', `kpid already has ${this.total} pushed series in all (ingest.max_series)`);
    }
    let series = known;
    if (!series) this.byMeasurement.set(sample.measurement, (series = new Map()));
    series.set(key, now);
    this.total++;
    return ADMITTED;
  }

  /**
   * Forgets idle series. From `admit`, at most once a minute (or once per
   * tenth of the expiry), so it costs little per request; push ingest also
   * runs it on its clock (`force`), so series are forgotten when pushes stop.
   */
  sweep(now: number, force = true): void {
    const every = Math.min(60_000, this.limits.idleExpiryMs / 10);
    if (!force && now - this.lastSweep < every) return;
    this.lastSweep = now;
    const oldest = now - this.limits.idleExpiryMs;
    for (const [measurement, series] of this.byMeasurement) {
      for (const [key, seen] of series) {
        if (seen <= oldest) {
          series.delete(key);
          this.total--;
        }
      }
      if (series.size === 0) this.byMeasurement.delete(measurement);
    }
  }
}

const ADMITTED: Admission = { ok: true };

function refuse(limit: CardinalityLimit, reason: string): Admission {
  return { ok: false, limit, reason };
}
