import { z } from 'zod';
import { duration } from '../duration-schema.js';

/**
 * When an alert counts as flapping (docs/rules.md): more than `start_above`
 * state changes (pending, firing, resolved) within `window` starts it; fewer
 * than `stop_below` in the window ends it. The defaults are those of
 * src/alerts/flap-detector.ts.
 */
export const flapping = z
  .strictObject({
    window: duration({ min: 60_000 }).default(30 * 60_000),
    start_above: z.number().int().min(1).default(4),
    stop_below: z.number().int().min(1).default(2),
  })
  .refine((f) => f.stop_below <= f.start_above, { message: 'flapping.stop_below must not be above start_above (it is the low threshold)' })
  .default({ window: 30 * 60_000, start_above: 4, stop_below: 2 });
