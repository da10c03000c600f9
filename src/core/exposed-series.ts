/** Label names and values of one series, as prom-client takes them. */
export type SeriesLabels = Readonly<Record<string, string | number>>;

/**
 * One series as prom-client's Gauge and Counter keep it (`{ value, labels }`
 * in their hashMap, read by `registry.metrics()`), with the text of its labels
 * in the exposition format written once, when the series first appears. A
 * /metrics render of 100,000 series then only formats numbers, and the
 * metrics sink updates a value by writing a field. The text is private so
 * that prom-client, `getMetricsAsJSON()` and tests see the two fields they
 * always saw.
 */
export class ExposedSeries {
  readonly #labelText: string;

  constructor(
    public value: number,
    readonly labels: SeriesLabels,
    labelText: string,
  ) {
    this.#labelText = labelText;
  }

  /** `name="value",...` as prom-client writes it between the braces, or '' without labels. */
  static labelText(series: object): string | undefined {
    return #labelText in series ? (series as ExposedSeries).#labelText : undefined;
  }
}

/**
 * The labels of a series as prom-client's exposition writes them: in the
 * object's own order, backslash and line break escaped in every value, and
 * double quotes too in string values.
 */
export function labelText(labels: SeriesLabels): string {
  // Joined rather than appended: one flat string, where `+=` leaves a rope of
  // pieces that a series would keep for ever (75 bytes a series, measured).
  const parts: string[] = [];
  for (const key in labels) {
    if (!Object.prototype.hasOwnProperty.call(labels, key)) continue;
    const value = labels[key]!;
    parts.push(`${key}="${typeof value === 'string' ? labelValueText(value) : value}"`);
  }
  return parts.join(',');
}

const NEEDS_ESCAPE = /[\\\n"]/;

function labelValueText(value: string): string {
  return NEEDS_ESCAPE.test(value) ? escapeText(value).replace(/"/g, '\\"') : value;
}

/** Backslash and line break escaped, as prom-client does for names, help text and label values. */
export function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}
