import type { CustomEntryOptions } from './snmp-options.js';
import { counterIncrease, perSecond, type CounterReading } from './counter-rates.js';
import type { SnmpSession } from './snmp-session.js';
import { walkColumns, type TimedVarbind, type WalkOptions } from './table-walker.js';
import { asCounter, asNumber, asText } from './varbind-values.js';

/** One custom row as read: tags and raw values by field name. */
interface CustomRow {
  readonly entry: number;
  /** Row index under the table's columns; empty for scalars. */
  readonly index: string;
  readonly tags: Record<string, string>;
  readonly values: Record<string, TimedVarbind>;
}

/** Previous counter readings of custom fields, by entry|field|row index. */
export type CustomCounters = Map<string, { reading: CounterReading; at: number }>;

export interface CustomResult {
  readonly rows: { measurement: string; tags: Record<string, string>; fields: Record<string, number> }[];
  readonly counters: CustomCounters;
  readonly resets: number;
}

/** GETs at most this many OIDs per request, to stay under agents' PDU size. */
const GET_CHUNK = 20;

/** Reads every `custom` entry: scalars by GET, tables by walking their columns. */
export async function readCustom(session: SnmpSession, entries: readonly CustomEntryOptions[], o: WalkOptions): Promise<CustomRow[]> {
  const rows: CustomRow[] = [];
  for (const [i, e] of entries.entries()) {
    const names = Object.keys(e.fields);
    if (!e.table) {
      const oids = names.map((n) => e.fields[n]!.oid);
      const vbs: TimedVarbind[] = [];
      for (let k = 0; k < oids.length; k += GET_CHUNK) {
        const got = await session.get(oids.slice(k, k + GET_CHUNK), o.signal);
        const at = o.now();
        vbs.push(...got.map((vb) => ({ ...vb, at })));
      }
      rows.push({ entry: i, index: '', tags: {}, values: Object.fromEntries(names.map((n, k) => [n, vbs[k]!])) });
      continue;
    }
    const tagNames = Object.keys(e.tags);
    const columns = [...names.map((n) => e.fields[n]!.oid), ...tagNames.map((t) => e.tags[t]!)];
    const walked = await walkColumns(session, columns, o);
    const indices = new Set<string>();
    for (const n of names) for (const idx of walked.get(e.fields[n]!.oid)?.keys() ?? []) indices.add(idx);
    for (const index of indices) {
      const tags: Record<string, string> = {};
      if (e.indexTag) tags[e.indexTag] = index;
      for (const t of tagNames) {
        const vb = walked.get(e.tags[t]!)?.get(index);
        if (vb) tags[t] = asText(vb);
      }
      const values: Record<string, TimedVarbind> = {};
      for (const n of names) {
        const vb = walked.get(e.fields[n]!.oid)?.get(index);
        if (vb) values[n] = vb;
      }
      rows.push({ entry: i, index, tags, values });
    }
  }
  return rows;
}

/**
 * Turns custom rows into fields. Gauges pass through; counters become a
 * per-second rate or a per-poll increase from the second poll on, and never
 * across a reboot (`continuous` false).
 */
export function customFields(
  entries: readonly CustomEntryOptions[],
  rows: readonly CustomRow[],
  prev: CustomCounters,
  continuous: boolean,
): CustomResult {
  const counters: CustomCounters = new Map();
  const out: CustomResult['rows'] = [];
  let resets = 0;
  for (const row of rows) {
    const e = entries[row.entry]!;
    const fields: Record<string, number> = {};
    for (const [name, vb] of Object.entries(row.values)) {
      const f = e.fields[name]!;
      if (f.type === 'gauge') {
        fields[name] = asNumber(vb);
        continue;
      }
      const reading = asCounter(vb);
      const key = `${row.entry}|${name}|${row.index}`;
      counters.set(key, { reading, at: vb.at });
      const before = prev.get(key);
      if (!before || !continuous) continue;
      const inc = counterIncrease(before.reading, reading);
      if (inc.kind === 'reset') {
        resets++;
        continue;
      }
      fields[name] = f.as === 'delta' ? Number(inc.delta) : perSecond(inc.delta, vb.at - before.at);
    }
    if (Object.keys(fields).length > 0) out.push({ measurement: e.measurement, tags: row.tags, fields });
  }
  return { rows: out, counters, resets };
}
