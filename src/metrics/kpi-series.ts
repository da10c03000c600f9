import type { Gauge } from 'prom-client';
import { ExposedSeries, labelText } from '../core/exposed-series.js';
import type { KpiReading } from './kpi-metrics.js';

/** What prom-client's Gauge keeps but does not declare: its map of series, keyed as util.js hashObject does. */
type Internals = { hashMap: Record<string, { value: number }> };

/** The two series of one KPI and scope, kept from one scrape to the next. */
interface Pair {
  readonly value: ExposedSeries;
  readonly compliant: ExposedSeries;
}

/**
 * kpid_kpi_value and kpid_kpi_compliant, rebuilt from the readings at every
 * scrape exactly as `reset()` and then `set()` per reading would leave them
 * (same series, same order, a later reading of a KPI and scope overwriting an
 * earlier one in place), but without prom-client's per-series label check,
 * hashing and label objects: at 10,000 interfaces that was half of a
 * /metrics render of the whole daemon, and its garbage, every scrape. A
 * reading seen at the last scrape keeps its series objects and their label
 * text; one not read again leaves /metrics.
 */
export class KpiSeries {
  private kept = new Map<string, Pair>();

  constructor(
    private readonly value: Gauge<'kpi' | 'scope'>,
    private readonly compliant: Gauge<'kpi' | 'scope'>,
  ) {}

  /** Both gauges now hold these readings and nothing else; a reading with no finite value is left out. */
  collect(readings: Iterable<KpiReading>): void {
    const next = new Map<string, Pair>();
    const values: Internals['hashMap'] = {};
    const compliant: Internals['hashMap'] = {};
    for (const k of readings) {
      if (!Number.isFinite(k.value)) continue;
      // prom-client's key for { kpi, scope }: label names sorted, `name:value,` each.
      const key = `kpi:${k.kpi},scope:${k.scope},`;
      let pair = next.get(key) ?? this.kept.get(key);
      if (!pair) {
        const labels = { kpi: k.kpi, scope: k.scope };
        const text = labelText(labels);
        pair = { value: new ExposedSeries(0, labels, text), compliant: new ExposedSeries(0, labels, text) };
      }
      pair.value.value = k.value;
      pair.compliant.value = k.compliant ? 1 : 0;
      if (!next.has(key)) {
        next.set(key, pair);
        values[key] = pair.value;
        compliant[key] = pair.compliant;
      }
    }
    (this.value as unknown as Internals).hashMap = values;
    (this.compliant as unknown as Internals).hashMap = compliant;
    this.kept = next;
  }
}
