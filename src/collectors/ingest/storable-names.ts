import type { Sample } from '../../core/sample.js';

/**
 * InfluxDB 1.x line protocol has no escape for a backslash: its scanner
 * takes `\` as escaping whatever follows, so a name ending in `\`, or with
 * `\` before a comma, `=` or space (which the writer must escape too),
 * comes out as a broken line and InfluxDB drops the point. Such a sample is
 * refused here, with the reason, rather than accepted and then lost.
 */
const UNSTORABLE = /\\(?=$|[,= ])/;

/** Why this sample's measurement or tags cannot be stored in InfluxDB 1.x, or undefined. */
export function unstorableName(sample: Sample): string | undefined {
  // Every pushed sample passes here: most names hold no backslash at all.
  if (!hasBackslash(sample)) return undefined;
  if (UNSTORABLE.test(sample.measurement)) return `measurement "${sample.measurement}" has a backslash before a comma, "=", space or its end, which InfluxDB 1.x cannot store`;
  for (const [key, value] of Object.entries(sample.tags)) {
    if (UNSTORABLE.test(key)) return `tag key "${key}" has a backslash before a comma, "=", space or its end, which InfluxDB 1.x cannot store`;
    if (UNSTORABLE.test(value)) return `tag ${key}="${value}" has a backslash before a comma, "=", space or its end, which InfluxDB 1.x cannot store`;
  }
  return undefined;
}

function hasBackslash(sample: Sample): boolean {
  if (sample.measurement.includes('\\')) return true;
  for (const key in sample.tags) if (key.includes('\\') || sample.tags[key]!.includes('\\')) return true;
  return false;
}
