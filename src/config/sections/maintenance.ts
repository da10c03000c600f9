import { z } from 'zod';
import { formatDuration } from '../../core/duration.js';
import { duration } from '../duration-schema.js';

/**
 * The `maintenance:` section: planned work. While a window is open, alerts
 * matching it are not notified, and an outage that starts inside it is
 * planned (excluded from availability, reported apart).
 *
 *   maintenance:
 *     - name: bj-weekly                        # optional; the window's id is config:<name>
 *       match: { site: beijing-dc1 }           # label equality, at least one label
 *       from: "2026-01-04T02:00:00+08:00"      # RFC 3339 with a zone
 *       duration: 2h                           # or to: "2026-01-04T04:00:00+08:00"
 *       every: 1w                              # optional: repeats from `from`
 *       until: "2026-07-01T00:00:00+08:00"     # optional: no occurrence starts after this
 *       comment: "weekly core router patching"
 */

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'label names are letters, digits and _');

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** An RFC 3339 time with its zone (a bare local time would be a guess), parsed to epoch ms. */
export const timestamp = z
  .string({ error: 'expected a time such as "2026-01-04T02:00:00+08:00" or "2026-01-03T18:00:00Z"' })
  .transform((text, ctx) => {
    const ms = RFC3339.test(text.trim()) ? Date.parse(text.trim()) : NaN;
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not an RFC 3339 time with a zone, such as 2026-01-04T02:00:00+08:00 or 2026-01-03T18:00:00Z` });
      return z.NEVER;
    }
    return ms;
  });

export const matchLabels = z
  .record(labelName, z.string())
  .refine((m) => Object.keys(m).length > 0, 'give at least one label to match: a window over everything is not maintenance');

/**
 * One-off or recurring timing shared by config windows and API silences:
 * a start, an end (`to`) or a length (`duration`), and optionally a period
 * (`every`) and a last start (`until`). Issues name the offending key.
 */
export function checkTiming(
  w: { from: number; to?: number; duration?: number; every?: number; until?: number },
  ctx: z.RefinementCtx,
  keys: { from: string; to: string; duration: string; every: string; until: string },
): void {
  if (w.to === undefined && w.duration === undefined) {
    ctx.addIssue({ code: 'custom', path: [keys.to], message: `give an end time (${keys.to}) or a length (${keys.duration})` });
    return;
  }
  if (w.to !== undefined && w.duration !== undefined) {
    ctx.addIssue({ code: 'custom', path: [keys.duration], message: `give either ${keys.to} or ${keys.duration}, not both` });
    return;
  }
  const length = w.duration ?? w.to! - w.from;
  if (length <= 0) {
    ctx.addIssue({ code: 'custom', path: [keys.to], message: `${keys.to} must be after ${keys.from}` });
    return;
  }
  if (w.every !== undefined && length > w.every) {
    ctx.addIssue({
      code: 'custom', path: [keys.every],
      message: `a window of ${formatDuration(length)} cannot repeat every ${formatDuration(w.every)}: the period must be at least the window's length`,
    });
  }
  if (w.until !== undefined && w.every === undefined) {
    ctx.addIssue({ code: 'custom', path: [keys.until], message: `${keys.until} applies to recurring windows: give ${keys.every} too` });
  } else if (w.until !== undefined && w.until <= w.from) {
    ctx.addIssue({ code: 'custom', path: [keys.until], message: `${keys.until} must be after ${keys.from}` });
  }
}

const KEYS = { from: 'from', to: 'to', duration: 'duration', every: 'every', until: 'until' };

export const maintenanceWindow = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'window names are letters, digits, _, . and -').optional(),
    match: matchLabels,
    from: timestamp,
    to: timestamp.optional(),
    /** Length of each occurrence, instead of `to`. */
    duration: duration({ min: 1000 }).optional(),
    /** Period of a recurring window, counted from `from`. */
    every: duration({ min: 60_000 }).optional(),
    until: timestamp.optional(),
    comment: z.string().optional(),
  })
  .superRefine((w, ctx) => checkTiming(w, ctx, KEYS))
  .transform((w) => ({ ...w, to: w.to ?? w.from + (w.duration ?? 0) }));

export const maintenance = z
  .array(maintenanceWindow)
  .default([])
  .superRefine((list, ctx) => {
    const seen = new Map<string, number>();
    list.forEach((w, i) => {
      if (w.name === undefined) return;
      const first = seen.get(w.name);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate window name "${w.name}" (first used by maintenance.${first})` });
      else seen.set(w.name, i);
    });
  });

export type MaintenanceWindow = z.output<typeof maintenanceWindow>;
