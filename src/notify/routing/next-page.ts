import type { Notification } from '../../core/alert.js';
import type { NotifyOptions } from '../notify-options.js';
import type { NextPage } from '../batch.js';

/**
 * Who hears next if nobody acts, for the "Next:" line of a first page: the
 * first tier of the route's escalation ladder (its `after` counts from this
 * page), or, after an SLA warning, the managers' tier at the recovery
 * deadline. The escalation step itself names the tier after it (notifier).
 */
export function nextPage(config: NotifyOptions, routeIds: readonly number[], n: Notification, now: number): NextPage | undefined {
  const ladders = routeIds.map((i) => config.routes[i]?.escalation).filter((l): l is string => !!l).map((l) => config.escalations[l]!);
  if (n.kind === 'sla_warning' && n.outage) {
    const managers = [...new Set(ladders.flatMap((l) => l.slaBreach))];
    return managers.length ? { at: n.outage.startedAt + n.outage.recoveryTarget, who: managers, unless: 'restored' } : undefined;
  }
  if (n.kind !== 'firing') return undefined;
  const firsts = ladders.map((l) => l.steps[0]).filter((s) => s !== undefined);
  if (!firsts.length) return undefined;
  const after = Math.min(...firsts.map((s) => s.after));
  return { at: now + after, who: [...new Set(firsts.filter((s) => s.after === after).flatMap((s) => s.channels))], unless: 'acked' };
}
