import { setImmediate as nextTurn } from 'node:timers/promises';
import { Registry } from 'prom-client';

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
  // Bytes, a slice at a time: 100,000 lines kept as strings until the end cost more in garbage collection than in formatting.
  const chunks: Buffer[] = [];
  for (const metric of registry.getMetricsAsArray() as unknown as Readable[]) {
    const data = await (metric.getForPromString ? metric.getForPromString() : metric.get());
    const values = (data.values ?? []) as readonly Value[];
    if (chunks.length > 0) chunks.push(BLANK_LINE);
    // Gauges and counters, kpid's 100,000 series, are formatted here, a good deal faster
    // than prom-client's per-series arrays; anything else by prom-client, a slice at a time.
    if (plain && (data.type === 'gauge' || data.type === 'counter') && values.every(isSimple)) {
      chunks.push(Buffer.from(await formatter.getMetricsAsString({ get: async () => ({ ...data, values: [] }) })));
      const name = escapeText(String(data.name));
      for (let start = 0; start < values.length; start += slice) {
        chunks.push(Buffer.from(seriesLines(name, values, start, start + slice)));
        if (values.length > slice) await nextTurn();
      }
    } else {
      for (let start = 0; start === 0 || start < values.length; start += slice) {
        const part = { ...data, values: values.slice(start, start + slice) };
        const text = await formatter.getMetricsAsString({ get: async () => part });
        // Each slice comes with the metric's # HELP and # TYPE lines; only the first keeps them.
        chunks.push(Buffer.from(start === 0 ? text : `\n${text.slice(afterSecondLine(text))}`));
        if (values.length > slice) await nextTurn();
      }
    }
    await nextTurn();
  }
  chunks.push(NEWLINE);
  return Buffer.concat(chunks);
}

const BLANK_LINE = Buffer.from('\n\n');
const NEWLINE = Buffer.from('\n');

/** Where the third line starts: HELP and TYPE hold no raw line break (prom-client escapes it). */
function afterSecondLine(text: string): number {
  return text.indexOf('\n', text.indexOf('\n') + 1) + 1;
}

function isSimple(v: Value): boolean {
  return v.metricName === undefined && v.exemplar === undefined && (v.sharedLabels === undefined || Object.keys(v.sharedLabels).length === 0);
}

/**
 * "\nname{label="value",...} number" for values [from, to), as prom-client
 * writes them: labels in their own order, backslash, line break and quote
 * escaped, NaN as "Nan" and infinities as "+Inf" and "-Inf".
 */
function seriesLines(name: string, values: readonly Value[], from: number, to: number): string {
  let out = '';
  const end = Math.min(to, values.length);
  for (let i = from; i < end; i++) {
    const v = values[i]!;
    const labels = v.labels ?? {};
    let text = '';
    for (const key in labels) {
      if (!Object.prototype.hasOwnProperty.call(labels, key)) continue;
      const value = labels[key]!;
      text += `${text ? ',' : ''}${key}="${typeof value === 'string' ? labelText(value) : value}"`;
    }
    out += `\n${name}${text ? `{${text}}` : ''} ${numberText(v.value)}`;
  }
  return out;
}

const NEEDS_ESCAPE = /[\\\n"]/;

function labelText(value: string): string {
  return NEEDS_ESCAPE.test(value) ? escapeText(value).replace(/"/g, '\\"') : value;
}

function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function numberText(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return `${value}`;
}
