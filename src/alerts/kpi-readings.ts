import { holds } from '../core/comparison.js';
import type { KpiCatalogue } from '../core/kpi-catalogue.js';
import type { KpiReading } from '../metrics/kpi-metrics.js';
import type { RuleReading } from '../rules/rule-runner.js';
import type { OutageLedger } from './outage-ledger.js';

/**
 * Every KPI value kpid knows now, with its compliance against the catalogue
 * target: what the rules that name a KPI last computed (one reading per KPI
 * and scope), and what the outage ledger says per service: availability
 * over the rolling 30 days, the running interruption, the last recovery time.
 */
export function* kpiReadings(rules: Iterable<RuleReading>, catalogue: KpiCatalogue, ledger: OutageLedger, now: number): Generator<KpiReading> {
  const seen = new Set<string>();
  for (const { kpi, scope, value } of rules) {
    seen.add(`${kpi}\u0000${scope}`);
    const target = catalogue.get(kpi)?.target;
    yield { kpi, scope, value, compliant: target ? holds(target, value) : true };
  }
  const judge = (kpi: string, value: number) => {
    const t = catalogue.get(kpi)?.target;
    return t ? holds(t, value) : true;
  };
  for (const service of ledger.services()) {
    const a = ledger.availability(service, now).rolling30d.availability;
    if (!seen.has(`availability\u0000${service}`)) yield { kpi: 'availability', scope: service, value: a, compliant: judge('availability', a) };
    const outages = ledger.list(0).filter((o) => o.service === service);
    const open = outages.find((o) => o.restoredAt === undefined);
    const last = outages.find((o) => o.restoredAt !== undefined);
    const interruption = open ? (now - open.startedAt) / 1000 : last ? (last.restoredAt! - last.startedAt) / 1000 : 0;
    yield { kpi: 'interruption_minutes', scope: service, value: interruption, compliant: judge('interruption_minutes', interruption) };
    if (last) {
      const recovery = (last.restoredAt! - last.startedAt) / 1000;
      yield { kpi: 'recovery_minutes', scope: service, value: recovery, compliant: judge('recovery_minutes', recovery) };
    }
  }
}
