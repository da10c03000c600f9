import { holds } from '../core/comparison.js';
import type { KpiCatalogue } from '../core/kpi-catalogue.js';
import type { KpiReading } from '../metrics/kpi-metrics.js';
import type { RuleRunner } from '../rules/rule-runner.js';
import type { OutageLedger } from './outage-ledger.js';
import type { Outage } from './state/state-store.js';

/** A reading handed to a callback: the same object, refilled, for every reading of a pass. */
type Reading = { -readonly [K in keyof KpiReading]: KpiReading[K] };

/**
 * Every KPI value kpid knows now, with its compliance against the catalogue
 * target, handed to `each` in turn: what the rules that name a KPI last
 * computed (one reading per KPI and scope), and what the outage ledger says
 * per service: availability over the rolling 30 days, the running
 * interruption, the last recovery time. Read at every /metrics scrape (10,000
 * readings and more), so one reading object is refilled for all of them:
 * `each` copies what it keeps.
 */
export function eachKpiReading(rules: Pick<RuleRunner, 'readings'>, catalogue: KpiCatalogue, ledger: OutageLedger, now: number, each: (k: KpiReading) => void): void {
  const k: Reading = { kpi: '', scope: '', value: 0, compliant: true };
  const give = (kpi: string, scope: string, value: number) => {
    const t = catalogue.get(kpi)?.target;
    k.kpi = kpi;
    k.scope = scope;
    k.value = value;
    k.compliant = t ? holds(t, value) : true;
    each(k);
  };
  // A rule that reads a service's availability speaks for it; the ledger's figure is then left out.
  let ruled: Set<string> | undefined;
  rules.readings((kpi, scope, value) => {
    if (kpi === 'availability') (ruled ??= new Set()).add(scope);
    give(kpi, scope, value);
  });
  const services = ledger.services();
  if (services.length === 0) return;
  const latest = latestOutages(ledger.list(0));
  for (const service of services) {
    const a = ledger.availability(service, now).rolling30d.availability;
    if (!ruled?.has(service)) give('availability', service, a);
    const { open, last } = latest.get(service) ?? {};
    const interruption = open ? (now - open.startedAt) / 1000 : last ? (last.restoredAt! - last.startedAt) / 1000 : 0;
    give('interruption_minutes', service, interruption);
    if (last) give('recovery_minutes', service, (last.restoredAt! - last.startedAt) / 1000);
  }
}

/** Per service, its open outage and its latest restored one, from the ledger's list (newest first): one pass for all services. */
function latestOutages(outages: readonly Outage[]): Map<string, { open?: Outage; last?: Outage }> {
  const by = new Map<string, { open?: Outage; last?: Outage }>();
  for (const o of outages) {
    let s = by.get(o.service);
    if (!s) by.set(o.service, (s = {}));
    if (o.restoredAt === undefined) s.open ??= o;
    else s.last ??= o;
  }
  return by;
}
