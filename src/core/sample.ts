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

/**
 * Identity of a series: measurement plus sorted tags. Every sample the rule
 * engine or push ingest sees is keyed, so this builds the string directly:
 * no arrays beyond the keys, which are sorted in place (insertion sort: a
 * sample has a handful of tags).
 */
export function seriesKey(sample: Pick<Sample, 'measurement' | 'tags'>): string {
  const tags = sample.tags;
  const keys = Object.keys(tags);
  sortTagKeys(keys);
  let key = sample.measurement;
  for (let i = 0; i < keys.length; i++) key += ',' + keys[i]! + '=' + tags[keys[i]!];
  return key;
}

/** Sorts a few tag keys in place; insertion sort beats Array.prototype.sort at this size. */
export function sortTagKeys(keys: string[]): void {
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > k) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = k;
  }
}
