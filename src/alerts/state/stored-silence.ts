import { z } from 'zod';
import type { Silence, UnreadableSilence } from './state-store.js';

export type { UnreadableSilence } from './state-store.js';

/** The widest time a JavaScript Date holds (ECMA-262 §21.4.1.1); beyond it toISOString throws. */
const DATE_LIMIT = 8.64e15;

const instant = z.number().finite().min(-DATE_LIMIT).max(DATE_LIMIT);

/**
 * What a stored silence must look like to be used. A row written by an
 * older kpid, by hand, or by a bug that let a year-10^11 end through must
 * not break the list that every other silence is served from.
 */
const storedSilence = z.object({
  id: z.string().min(1),
  matchers: z.record(z.string(), z.string()),
  startsAt: instant,
  endsAt: instant,
  createdBy: z.string(),
  comment: z.string().optional(),
  maintenance: z.boolean().optional(),
  every: z.number().finite().positive().optional(),
  until: instant.optional(),
});


/**
 * Decodes stored silence bodies one by one: a row that is not JSON, or not a
 * silence kpid can serve, goes to `onUnreadable` and is left out; the rest
 * are returned in key order.
 */
export function readStoredSilences(rows: ReadonlyArray<{ id: string; body: string }>, onUnreadable?: (bad: UnreadableSilence) => void): Silence[] {
  const out: Silence[] = [];
  for (const row of rows) {
    let json: unknown;
    try {
      json = JSON.parse(row.body);
    } catch (err) {
      onUnreadable?.({ id: row.id, reason: `not JSON: ${(err as Error).message}` });
      continue;
    }
    const parsed = storedSilence.safeParse(json);
    if (!parsed.success) {
      const i = parsed.error.issues[0]!;
      onUnreadable?.({ id: row.id, reason: `${i.path.map(String).join('.') || 'body'}: ${i.message}` });
      continue;
    }
    out.push(parsed.data as Silence);
  }
  return out;
}
