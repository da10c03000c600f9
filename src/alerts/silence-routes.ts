import { z } from 'zod';
import type { NewSilence, SilenceKeeper } from './silence-keeper.js';
import { silenceTiming } from './alerts-options.js';
import { formatDuration } from '../core/duration.js';
import { HttpError } from '../core/http-error.js';
import type { Route } from '../core/route.js';

/**
 * POST /api/v1/silences body. Times are RFC 3339 with a zone; give endsAt
 * or duration. `every` (and `until`) make it recurring; `maintenance: true`
 * makes outages starting inside it planned, as config `maintenance:` does.
 *
 *   { "matchers": { "site": "dc1" }, "duration": "2h", "createdBy": "alice",
 *     "comment": "fibre repair", "maintenance": true }
 */
const { duration, checkTiming, matchLabels, timestamp } = silenceTiming;

const KEYS = { from: 'startsAt', to: 'endsAt', duration: 'duration', every: 'every', until: 'until' };

function silenceBody(now: number, maxAhead: number) {
  return z
    .strictObject({
      matchers: matchLabels,
      startsAt: timestamp.optional(),
      endsAt: timestamp.optional(),
      duration: duration({ min: 1000 }).optional(),
      every: duration({ min: 60_000 }).optional(),
      until: timestamp.optional(),
      createdBy: z.string().min(1).max(200).default('api'),
      comment: z.string().max(2000).optional(),
      maintenance: z.boolean().default(false),
    }, { error: 'body must be a JSON object' })
    .superRefine((b, ctx) => checkTiming({ ...b, from: b.startsAt ?? now, to: b.endsAt }, ctx, KEYS))
    .superRefine((b, ctx) => checkHorizon(b, now, maxAhead, ctx))
    .transform((b): NewSilence => {
      const startsAt = b.startsAt ?? now;
      return {
        matchers: b.matchers,
        startsAt,
        endsAt: b.endsAt ?? startsAt + b.duration!,
        createdBy: b.createdBy,
        maintenance: b.maintenance,
        ...(b.every !== undefined ? { every: b.every } : {}),
        ...(b.until !== undefined ? { until: b.until } : {}),
        ...(b.comment !== undefined ? { comment: b.comment } : {}),
      };
    });
}

/**
 * An API silence ends at most `maxAhead` from now (config silences.max_ahead),
 * checked before anything is stored. The issue names the field that set the end.
 */
function checkHorizon(
  b: { startsAt?: number; endsAt?: number; duration?: number; every?: number; until?: number },
  now: number, maxAhead: number, ctx: z.RefinementCtx,
): void {
  const limit = `at most ${formatDuration(maxAhead)} from now (silences.max_ahead)`;
  const end = b.endsAt ?? (b.startsAt ?? now) + (b.duration ?? 0);
  if (!(end <= now + maxAhead)) {
    ctx.addIssue({ code: 'custom', path: [b.endsAt !== undefined ? 'endsAt' : 'duration'], message: `the silence would end too far ahead: it may end ${limit}` });
  }
  if (b.until !== undefined && !(b.until <= now + maxAhead)) {
    ctx.addIssue({ code: 'custom', path: ['until'], message: `until is too far ahead: it may be ${limit}` });
  }
  if (b.every !== undefined && !(b.every <= maxAhead)) {
    ctx.addIssue({ code: 'custom', path: ['every'], message: `every may be at most ${formatDuration(maxAhead)} (silences.max_ahead)` });
  }
}

/** The first problem in a body, naming the field: `endsAt: must be after startsAt`. */
function describe(issues: readonly z.core.$ZodIssue[]): string {
  const i = issues[0]!;
  if (i.code === 'unrecognized_keys') return `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}`;
  const path = i.path.map(String).join('.');
  return path ? `${path}: ${i.message}` : i.message;
}

/** GET, POST /api/v1/silences; GET, DELETE /api/v1/silences/:id. */
export function silenceRoutes(silences: () => SilenceKeeper | undefined): Route[] {
  const book = (): SilenceKeeper => {
    const s = silences();
    if (!s) throw new HttpError(503, 'not_ready', 'silences are not available yet (the state store is opening)');
    return s;
  };
  return [
    { method: 'GET', path: '/api/v1/silences', auth: true, handler: () => ({ status: 200, body: { silences: book().list(), unreadable: book().unreadable } }) },
    {
      method: 'POST', path: '/api/v1/silences', auth: true,
      handler: async (req) => {
        const keeper = book();
        const parsed = silenceBody(keeper.now(), keeper.maxAhead).safeParse(await req.json());
        if (!parsed.success) {
          const fields = [...new Set(parsed.error.issues.map((i) => i.path.map(String).join('.')).filter(Boolean))];
          throw new HttpError(400, 'bad_field', describe(parsed.error.issues), { fields });
        }
        const created = await keeper.create(parsed.data);
        return { status: 201, body: keeper.get(created.id) };
      },
    },
    {
      method: 'GET', path: '/api/v1/silences/:id', auth: true,
      handler: (req) => {
        const s = book().get(req.params.id!);
        if (!s) throw new HttpError(404, 'unknown_silence', `no silence has id "${req.params.id}"`);
        return { status: 200, body: s };
      },
    },
    {
      method: 'DELETE', path: '/api/v1/silences/:id', auth: true,
      handler: async (req) => {
        const id = req.params.id!;
        const result = await book().remove(id);
        if (result === 'unknown') throw new HttpError(404, 'unknown_silence', `no silence has id "${id}"`);
        if (result === 'config') throw new HttpError(409, 'config_window', `"${id}" is a maintenance window from the config file; remove it there and reload`);
        return { status: 200, body: { deleted: id } };
      },
    },
  ];
}
