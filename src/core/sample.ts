/**
 * One measurement of one target at one instant, already a KPI value
 * (rates, ratios, seconds), never a raw counter.
 *
 * `measurement` is one of the InfluxDB measurements in SPEC.md
 * (`interface`, `device`, `probe`, `voice`, `kpi`, `outage`, `target`).
 * Tags identify the series; fields are numbers. `time` is epoch milliseconds.
 */
export interface Sample {
  readonly measurement: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly fields: Readonly<Record<string, number>>;
  readonly time: number;
  /**
   * Fields that must be stored as integers (counters, status codes), so
   * InfluxDB never sees the same field as float in one point and integer in
   * another.
   */
  readonly integerFields?: readonly string[];
}

/** Identity of a series: measurement plus sorted tags. */
export function seriesKey(sample: Pick<Sample, 'measurement' | 'tags'>): string {
  const tags = Object.keys(sample.tags)
    .sort()
    .map((k) => `${k}=${sample.tags[k]}`)
    .join(',');
  return tags ? `${sample.measurement},${tags}` : sample.measurement;
}
