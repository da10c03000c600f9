import { escape } from 'influx';
import { sortTagKeys, type Sample } from '../core/sample.js';

/** How InfluxDB stores a numeric field. Once chosen for a field, it never changes. */
export type FieldType = 'integer' | 'float';

/**
 * The type of every field kpid has written or found in the database.
 * InfluxDB rejects a point whose field has another type than the one it
 * already holds ("field type conflict"), so the first type seen wins and
 * later samples are coerced to it, whatever their integerFields say.
 */
export class FieldTypes {
  /** measurement → field → type; nested maps so the hot path builds no key strings. */
  private readonly types = new Map<string, Map<string, FieldType>>();
  private count = 0;

  /** Records a type learnt from the database (SHOW FIELD KEYS); it overrides nothing already known. */
  learn(measurement: string, field: string, type: FieldType): void {
    const fields = this.fieldsOf(measurement);
    if (!fields.has(field)) {
      fields.set(field, type);
      this.count++;
    }
  }

  /** The type to write `field` with: the known one, else the one this sample asks for (and remember it). */
  resolve(measurement: string, field: string, wanted: FieldType): FieldType {
    const fields = this.fieldsOf(measurement);
    const known = fields.get(field);
    if (known) return known;
    fields.set(field, wanted);
    this.count++;
    return wanted;
  }

  get size(): number {
    return this.count;
  }

  private fieldsOf(measurement: string): Map<string, FieldType> {
    let fields = this.types.get(measurement);
    if (!fields) {
      fields = new Map();
      this.types.set(measurement, fields);
    }
    return fields;
  }
}

/**
 * A line protocol tag value or key may not hold a line break, and an empty
 * value is a parse error; both would make InfluxDB reject the whole point.
 */
const NEEDS_ESCAPE = /[,= \\\r\n]/;

function tagText(text: string): string {
  // Most tags need no escaping; the influx package's escaper costs about 1 µs per call.
  if (!NEEDS_ESCAPE.test(text)) return text;
  return escape.tag(text.replace(/[\r\n]+/g, ' '));
}

/**
 * Measurement names, tag keys and field keys come from a small set, so
 * their escaped text is kept rather than tested again for every point. The
 * bound only guards against a client pushing endless names.
 */
class NameTexts {
  private readonly texts = new Map<string, string>();
  constructor(private readonly escapeName: (name: string) => string) {}
  of(name: string): string {
    let text = this.texts.get(name);
    if (text === undefined) {
      if (this.texts.size >= 10_000) this.texts.clear();
      text = this.escapeName(name);
      this.texts.set(name, text);
    }
    return text;
  }
}
const measurementTexts = new NameTexts((m) => (NEEDS_ESCAPE.test(m) ? escape.measurement(m) : m));
const keyTexts = new NameTexts(tagText);


/**
 * One Sample as one InfluxDB line, time in milliseconds (the store writes
 * with precision=ms). Fields that are not finite numbers are left out
 * (InfluxDB cannot store NaN or Infinity); returns undefined when no field
 * is left, so the caller can count the point as invalid.
 *
 * The store serialises every point it writes, so this is a hot path: no
 * per-point arrays beyond the tag keys, names escaped once.
 */
export function toLine(sample: Sample, types: FieldTypes): string | undefined {
  const measurement = sample.measurement;
  let line = measurementTexts.of(measurement);
  const tags = sample.tags;
  const keys = Object.keys(tags);
  if (keys.length > 1) sortTagKeys(keys);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const value = tags[key];
    if (value === undefined || value === '') continue;
    line += ',' + keyTexts.of(key) + '=' + tagText(value);
  }
  const integers = sample.integerFields;
  const fields = sample.fields;
  let sep = ' ';
  // A whole float such as `3` is still a float in line protocol: only the `i` suffix makes an integer.
  for (const field in fields) {
    const value = fields[field]!;
    if (!Number.isFinite(value)) continue;
    const wanted: FieldType = integers !== undefined && integers.includes(field) ? 'integer' : 'float';
    const type = types.resolve(measurement, field, wanted);
    line += sep + keyTexts.of(field) + '=' + (type === 'integer' ? Math.round(value) + 'i' : String(value));
    sep = ',';
  }
  if (sep === ' ') return undefined;
  return line + ' ' + Math.round(sample.time);
}
