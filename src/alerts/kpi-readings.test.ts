import { describe, expect, it } from 'vitest';
import { KpiCatalogue } from '../core/kpi-catalogue.js';
import type { KpiReading } from '../metrics/kpi-metrics.js';
import { MIN, rulesFrom } from '../rules/testing.js';
import { eachKpiReading } from './kpi-readings.js';
import { OutageLedger } from './outage-ledger.js';
import type { Outage } from './state/state-store.js';
import { startRuntime, tempDir } from './testing.js';

const NOW = Date.UTC(2026, 2, 10);

const outage = (id: string, service: string, startMin: number, endMin?: number): Outage => ({
  id, service, labels: {}, alerts: [], startedAt: NOW + startMin * MIN, detectedAt: NOW + startMin * MIN,
  ...(endMin !== undefined ? { restoredAt: NOW + endMin * MIN } : {}),
  planned: false, recoveryTarget: 30 * MIN, warnAt: [], warningsSent: [], breached: false,
});

/** The rules' readings, in the order the rule runner hands them over. */
const rules = {
  readings(each: (kpi: string, scope: string, value: number) => void) {
    each('call_drop_rate', 'msc1', 0.003);
    each('call_drop_rate', 'msc2', 0.009);
    each('availability', 'core', 0.95);
  },
};

/** What `each` was handed, each reading copied as it came. */
function read(ledger: OutageLedger): KpiReading[] {
  const got: KpiReading[] = [];
  eachKpiReading(rules, new KpiCatalogue(), ledger, NOW, (k) => got.push({ ...k }));
  return got;
}

describe('every KPI reading kpid knows now (kpid_kpi_value, GET /api/v1/kpis)', () => {
  // core: ruled by a rule; dc1: down for the last 10 minutes, and down 20 minutes last week; voice: two restored outages, the later counts.
  const ledger = new OutageLedger();
  ledger.load([
    outage('a', 'dc1', -7 * 1440, -7 * 1440 + 20), outage('b', 'dc1', -10),
    outage('c', 'voice', -3000, -2990), outage('d', 'voice', -600, -595),
    outage('e', 'core', -60, -30),
  ]);

  it('the rules\' readings first, then per service its availability (unless a rule reads it), its interruption and its last recovery, in seconds', () => {
    expect(read(ledger)).toEqual([
      { kpi: 'call_drop_rate', scope: 'msc1', value: 0.003, compliant: true },
      { kpi: 'call_drop_rate', scope: 'msc2', value: 0.009, compliant: false },
      { kpi: 'availability', scope: 'core', value: 0.95, compliant: false },
      { kpi: 'interruption_minutes', scope: 'core', value: 1800, compliant: true },
      { kpi: 'recovery_minutes', scope: 'core', value: 1800, compliant: true },
      { kpi: 'availability', scope: 'dc1', value: 1 - 30 / 43_200, compliant: true },
      { kpi: 'interruption_minutes', scope: 'dc1', value: 600, compliant: true },
      { kpi: 'recovery_minutes', scope: 'dc1', value: 1200, compliant: true },
      { kpi: 'availability', scope: 'voice', value: 1 - 15 / 43_200, compliant: true },
      { kpi: 'interruption_minutes', scope: 'voice', value: 300, compliant: true },
      { kpi: 'recovery_minutes', scope: 'voice', value: 300, compliant: true },
    ]);
  });

  it('read twice, the same readings', () => {
    expect(read(ledger)).toEqual(read(ledger));
  });

  it('GET /api/v1/kpis keeps its own copy of each reading, sorted by KPI and scope', async () => {
    const { dir, cleanup } = tempDir();
    const rt = await startRuntime(rulesFrom(`
- alert: CallDropRateHigh
  kpi: call_drop_rate
  select: { measurement: voice }
  value: { agg: ratio, numerator: calls_dropped, denominator: call_attempts, over: 15m }
  severity: critical
`), `${dir}/state.db`, NOW);
    try {
      rt.rules.write([
        { measurement: 'voice', tags: { target: 'msc2' }, fields: { call_attempts: 1000, calls_dropped: 9 }, time: NOW },
        { measurement: 'voice', tags: { target: 'msc1' }, fields: { call_attempts: 1000, calls_dropped: 3 }, time: NOW },
      ]);
      expect(rt.runtime.kpis().map((k) => [k.kpi, k.scope, k.value, k.compliant])).toEqual([
        ['call_drop_rate', 'msc1', 0.003, true],
        ['call_drop_rate', 'msc2', 0.009, false],
      ]);
    } finally {
      await rt.stop();
      await rt.store.close();
      cleanup();
    }
  });
});
