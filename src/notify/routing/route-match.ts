import type { Notification } from '../../core/alert.js';
import type { RouteOptions } from '../notify-options.js';
import { linearRegex, type LinearRegex } from '../../core/linear-regex.js';

/**
 * The routes an alert goes to, in order: the first that matches, then the
 * following ones as long as each matched route says `continue: true`.
 */
export function matchRoutes(routes: readonly Pick<RouteOptions, 'match' | 'matchRe' | 'continue'>[], n: Pick<Notification, 'labels' | 'severity'>): number[] {
  const out: number[] = [];
  for (let i = 0; i < routes.length; i++) {
    const r = routes[i]!;
    if (!routeMatches(r, n)) continue;
    out.push(i);
    if (!r.continue) break;
  }
  return out;
}

export function routeMatches(r: Pick<RouteOptions, 'match' | 'matchRe'>, n: Pick<Notification, 'labels' | 'severity'>): boolean {
  const value = (k: string) => n.labels[k] ?? (k === 'severity' ? n.severity : undefined);
  for (const [k, v] of Object.entries(r.match)) if (value(k) !== v) return false;
  for (const [k, re] of Object.entries(r.matchRe)) if (!anchored(re).test(value(k) ?? '')) return false;
  return true;
}

/** Compiled match_re patterns (matchRe); they come from config, so the set stays small. Checked at load (config/sections/notify.ts). */
const compiled = new Map<string, LinearRegex>();
function anchored(pattern: string): LinearRegex {
  let re = compiled.get(pattern);
  if (!re) compiled.set(pattern, (re = linearRegex(pattern, { whole: true })));
  return re;
}

/** The labels that identify an alert's group on a route; `...` means all of them. */
export function groupLabels(groupBy: readonly string[], labels: Readonly<Record<string, string>>): Record<string, string> {
  if (groupBy.includes('...')) return { ...labels };
  const out: Record<string, string> = {};
  for (const k of groupBy) if (labels[k] !== undefined) out[k] = labels[k]!;
  return out;
}

export function groupKey(routeIndex: number, labels: Record<string, string>): string {
  const body = Object.keys(labels).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`).join(',');
  return `route${routeIndex}:{${body}}`;
}
