import { setImmediate as nextTurn } from 'node:timers/promises';
import { Counter, Gauge, Registry } from 'prom-client';
import { ByteWriter } from './byte-writer.js';
import { ExposedSeries, escapeText, labelText } from '../core/exposed-series.js';

/** Series formatted between two turns of the event loop. */
const SLICE = 2_000;

interface MetricData {
  readonly values?: readonly unknown[];
  readonly [key: string]: unknown;
}

/** What prom-client's Registry does but does not declare: format one metric (with HELP and TYPE). */
interface Formatter {
  getMetricsAsString(metric: { get(): Promise<MetricData> }): Promise<string>;
}

interface Readable {
  get(): Promise<MetricData>;
  getForPromString?(): Promise<MetricData>;
}

/** One series as prom-client keeps it. */
interface Value {
  readonly value: number;
  readonly labels?: Readonly<Record<string, string | number>>;
  readonly metricName?: string;
  readonly sharedLabels?: Readonly<Record<string, unknown>>;
  readonly exemplar?: unknown;
}

/**
 * The text of `registry.metrics()`, byte for byte (as UTF-8), rendered a slice of
 * series at a time with a turn of the event loop between slices.
 *
 * prom-client formats every metric in one go: at 100,000 series that held
 * the event loop for hundreds of milliseconds, during which polls, timers
 * and alert evaluation waited. Each slice is formatted by prom-client
 * itself (its escaping, default labels, shared labels and number text), so
 * the exposition cannot drift from the plain registry's. A series written
 * while the scrape is under way may show its old or its new value, as with
 * any scrape.
 */
export async function renderMetrics(registry: Registry, slice = SLICE): Promise<Buffer> {
  // OpenMetrics renames counters and ends with # EOF: rare for kpid; left to prom-client.
  if (registry.contentType !== Registry.PROMETHEUS_CONTENT_TYPE) return Buffer.from(await registry.metrics());
  const formatter = registry as unknown as Formatter;
  const plain = Object.keys((registry as unknown as { _defaultLabels: object })._defaultLabels ?? {}).length === 0;
  // Bytes as they are formatted: 100,000 lines kept as strings until the end cost more in garbage collection than in formatting.
  // Sized by the last render: no growing (and copying megabytes at once) while scraped every 10 s.
  const out = new ByteWriter(lastSize.get(registry) ?? 1 << 16);
  let first = true;
  for (const metric of registry.getMetricsAsArray() as unknown as Readable[]) {
    const data = await read(metric);
    const values = (data.values ?? []) as readonly Value[];
    if (!first) out.text('\n\n');
    first = false;
    // Gauges and counters, kpid's 100,000 series, are formatted here, a good deal faster
    // than prom-client's per-series arrays; anything else by prom-client, a slice at a time.
    if (plain && (data.type === 'gauge' || data.type === 'counter') && values.every(isSimple)) {
      out.text(await formatter.getMetricsAsString({ get: async () => ({ ...data, values: [] }) }));
      const name = escapeText(String(data.name));
      for (let start = 0; start < values.length; start += slice) {
        seriesLines(out, name, values, start, start + slice);
        if (values.length > slice) await nextTurn();
      }
    } else {
      for (let start = 0; start === 0 || start < values.length; start += slice) {
        const part = { ...data, values: values.slice(start, start + slice) };
        const text = await formatter.getMetricsAsString({ get: async () => part });
        // Each slice comes with the metric's # HELP and # TYPE lines; only the first keeps them.
        out.text(start === 0 ? text : `\n${text.slice(afterSecondLine(text))}`);
        if (values.length > slice) await nextTurn();
      }
    }
    await nextTurn();
  }
  out.text('\n');
  const bytes = out.bytes();
  lastSize.set(registry, bytes.length + (bytes.length >> 4));
  return bytes;
}

/** How many bytes each registry's last render took, with a sixteenth to spare. */
const lastSize = new WeakMap<Registry, number>();

/** What prom-client's Gauge and Counter keep but do not declare. */
interface Internals {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly hashMap: Record<string, unknown>;
  readonly collect?: (this: unknown) => unknown;
}

/**
 * A metric's data as its get() gives it. prom-client's own gauges and
 * counters are read from their map of series with a for-in, after their
 * collect() as get() does it: get()'s Object.values() of a map of 10,000
 * series (a dictionary to V8) cost about 2 µs a series, four times the
 * for-in, and was a quarter of the render (the KPI gauges, which collect,
 * too). Same order: the map's keys are never array indices.
 */
async function read(metric: Readable): Promise<MetricData> {
  const m = metric as Readable & Partial<Internals>;
  if (m.hashMap && !m.getForPromString && (m.get === (Gauge.prototype.get as unknown) || m.get === (Counter.prototype.get as unknown))) {
    if (m.collect) {
      const v = m.collect.call(m);
      if (v instanceof Promise) await v;
    }
    const values: unknown[] = [];
    for (const key in m.hashMap) values.push(m.hashMap[key]);
    return { name: m.name, help: m.help, type: m.type, values };
  }
  return metric.getForPromString ? metric.getForPromString() : metric.get();
}


/** Where the third line starts: HELP and TYPE hold no raw line break (prom-client escapes it). */
function afterSecondLine(text: string): number {
  return text.indexOf('\n', text.indexOf('\n') + 1) + 1;
}

function isSimple(v: Value): boolean {
  return v.metricName === undefined && v.exemplar === undefined && (v.sharedLabels === undefined || Object.keys(v.sharedLabels).length === 0);
}

/**
 * "\nname{label="value",...} number" for values [from, to), as prom-client
 * writes them: labels in their own order (written once per series by the
 * metrics sink, or here for series set some other way), backslash, line
 * break and quote escaped, NaN as "Nan" and infinities as "+Inf" and "-Inf".
 */
function seriesLines(out: ByteWriter, name: string, values: readonly Value[], from: number, to: number): void {
  const end = Math.min(to, values.length);
  // Written straight into the buffer, piece by piece: no string per line.
  const labelled = `\n${name}{`;
  const plain = `\n${name} `;
  for (let i = from; i < end; i++) {
    const v = values[i]!;
    const text = ExposedSeries.labelText(v) ?? labelText(v.labels ?? {});
    if (text) {
      out.ascii(labelled);
      out.ascii(text);
      out.ascii('} ');
    } else {
      out.ascii(plain);
    }
    if (Number.isFinite(v.value)) out.number(v.value);
    else out.ascii(numberText(v.value));
  }
}

function numberText(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return `${value}`;
}
