import type { Sample } from '../../core/sample.js';
import type { ParsedLine } from './line-protocol-parser.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_.:-]*$/;

/**
 * Checks one element of a JSON ingest body, `{measurement, tags, fields, time}`.
 * `time` is epoch milliseconds or an ISO 8601 string; absent means now.
 */
export function parseJsonSample(item: unknown, now: number): ParsedLine {
  if (!item || typeof item !== 'object' || Array.isArray(item)) return fail('not an object');
  const { measurement, tags = {}, fields, time, ...extra } = item as Record<string, unknown>;
  const unknown = Object.keys(extra);
  if (unknown.length) return fail(`unknown key "${unknown[0]}" (expected measurement, tags, fields, time)`);
  if (typeof measurement !== 'string' || !NAME.test(measurement)) return fail('measurement must be a name such as "kpi"');
  if (!tags || typeof tags !== 'object' || Array.isArray(tags)) return fail('tags must be an object of strings');
  for (const [k, v] of Object.entries(tags)) {
    if (typeof v !== 'string' || v === '') return fail(`tag "${k}" must be a non-empty string`);
  }
  if (!fields || typeof fields !== 'object' || Array.isArray(fields)) return fail('fields must be an object of numbers');
  const entries = Object.entries(fields as Record<string, unknown>);
  if (entries.length === 0) return fail('fields is empty');
  const numeric: Record<string, number> = {};
  for (const [k, v] of entries) {
    const n = typeof v === 'boolean' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n)) return fail(`field "${k}" must be a finite number`);
    numeric[k] = n;
  }
  let at = now;
  if (typeof time === 'number' && Number.isFinite(time)) at = time;
  else if (typeof time === 'string') {
    at = Date.parse(time);
    if (Number.isNaN(at)) return fail(`time "${time}" is not an ISO 8601 date`);
  } else if (time !== undefined) return fail('time must be epoch milliseconds or an ISO 8601 string');
  return { ok: true, sample: { measurement, tags: tags as Record<string, string>, fields: numeric, time: at } };
}

function fail(reason: string): ParsedLine {
  return { ok: false, reason };
}

export type { Sample };
