import type { Gauge } from 'prom-client';
import { ExposedSeries, labelText } from '../core/exposed-series.js';

/** A KPI reading for /metrics: its value now and whether it meets its target. */
export interface KpiReading {
  readonly kpi: string;
  readonly scope: string;
  readonly value: number;
  readonly compliant: boolean;
}

/** What prom-client's Gauge keeps but does not declare: its map of series, keyed as util.js hashObject does. */
type Internals = { hashMap: Record<string, { value: number }> };

/** The two series of one KPI and scope, kept from one scrape to the next. */
interface Pair {
  /** prom-client's key for { kpi, scope }: label names sorted, `name:value,` each. */
  readonly key: string;
  readonly kpi: string;
  readonly scope: string;
  readonly value: ExposedSeries;
  readonly compliant: ExposedSeries;
}

/**
 * kpid_kpi_value and kpid_kpi_compliant, rebuilt from the readings at every
 * scrape exactly as `reset()` and then `set()` per reading would leave them
 * (same series, same order, a later reading of a KPI and scope overwriting an
 * earlier one in place). The rules give the same KPIs and scopes in the same
 * order scrape after scrape: their values are then written into the series
 * already on /metrics, with no label check, hashing, label objects or map
 * of 10,000 keys built again (at 10,000 interfaces that was half of a
 * /metrics render of the whole daemon, and its garbage, every scrape). Only
 * when the readings differ from the last scrape's are the maps rebuilt,
 * keeping the series of readings seen before.
 */
export class KpiSeries {
  /** The series on /metrics, in their order there. */
  private shown: Pair[] = [];

  constructor(
    private readonly value: Gauge<'kpi' | 'scope'>,
    private readonly compliant: Gauge<'kpi' | 'scope'>,
  ) {}

  /**
   * Both gauges now hold the readings `read` hands over and nothing else; a
   * reading with no finite value is left out. Nothing keeps a reading: it
   * may be one object refilled for each.
   */
  collect(read: (each: (k: KpiReading) => void) => void): void {
    const shown = this.shown;
    let n = 0;
    let changed: Map<string, Pair> | undefined;
    read((k) => {
      if (!Number.isFinite(k.value)) return;
      const same = changed === undefined && n < shown.length ? shown[n] : undefined;
      if (same && same.kpi === k.kpi && same.scope === k.scope) {
        write(same, k);
        n++;
        return;
      }
      // From here on, the series are placed again; those before this reading stay as they were.
      changed ??= new Map(shown.slice(0, n).map((p) => [p.key, p]));
      const key = `kpi:${k.kpi},scope:${k.scope},`;
      const pair = changed.get(key) ?? this.known(key, k);
      write(pair, k);
      changed.set(key, pair);
    });
    if (changed === undefined && n === shown.length) return;
    this.place([...(changed ?? new Map(shown.slice(0, n).map((p) => [p.key, p]))).values()]);
  }

  /** The series of a KPI and scope: those shown at the last scrape, or new ones. */
  private known(key: string, k: KpiReading): Pair {
    const kept = this.byKey().get(key);
    if (kept) return kept;
    const labels = { kpi: k.kpi, scope: k.scope };
    const text = labelText(labels);
    return { key, kpi: k.kpi, scope: k.scope, value: new ExposedSeries(0, labels, text), compliant: new ExposedSeries(0, labels, text) };
  }

  private lastByKey?: Map<string, Pair>;

  private byKey(): Map<string, Pair> {
    return (this.lastByKey ??= new Map(this.shown.map((p) => [p.key, p])));
  }

  /** The gauges' maps of series, in this order (what reset() and set() in turn would leave). */
  private place(pairs: Pair[]): void {
    const values: Internals['hashMap'] = {};
    const compliant: Internals['hashMap'] = {};
    for (const p of pairs) {
      values[p.key] = p.value;
      compliant[p.key] = p.compliant;
    }
    (this.value as unknown as Internals).hashMap = values;
    (this.compliant as unknown as Internals).hashMap = compliant;
    this.shown = pairs;
    this.lastByKey = undefined;
  }
}

function write(p: Pair, k: KpiReading): void {
  p.value.value = k.value;
  p.compliant.value = k.compliant ? 1 : 0;
}
