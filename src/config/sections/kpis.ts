import { z } from 'zod';
import { checkKpiOverride } from '../../core/kpi-catalogue.js';
import { duration } from '../duration-schema.js';

/**
 * One `kpis:` entry: new comparisons for the KPI's target or alert levels,
 * and for ratio KPIs the least volume (`min_volume`, a count) over the
 * window (`window`, a duration) below which the ratio has no value.
 */
export const kpiOverride = z.strictObject({
  target: z.string().min(1).optional(),
  warning: z.string().min(1).optional(),
  critical: z.string().min(1).optional(),
  min_volume: z.number().int().min(0).optional(),
  window: duration({ min: 1000 }).optional(),
});

export const kpis = z.record(z.string(), kpiOverride).superRefine((all, ctx) => {
  for (const [id, o] of Object.entries(all)) {
    const problem = checkKpiOverride(id, o);
    if (problem) ctx.addIssue({ code: 'custom', path: problem.key ? [id, problem.key] : [id], message: problem.message });
  }
}).default({});
