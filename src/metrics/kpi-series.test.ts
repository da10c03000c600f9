import { Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { renderMetrics } from '../http/exposition.js';
import { defineKpiMetrics, type KpiReading } from './kpi-metrics.js';

const reading = (kpi: string, scope: string, value: number, compliant = true): KpiReading => ({ kpi, scope, value, compliant });

/** What kpid_kpi_value and kpid_kpi_compliant showed when each scrape reset both gauges and set every reading through prom-client. */
function plainGauges() {
  const registry = new Registry();
  const labelNames = ['kpi', 'scope'] as const;
  const value = new Gauge({ name: 'kpid_kpi_value', help: 'v', labelNames, registers: [registry] });
  const compliant = new Gauge({ name: 'kpid_kpi_compliant', help: 'c', labelNames, registers: [registry] });
  return {
    registry,
    scrape(readings: readonly KpiReading[]) {
      value.reset();
      compliant.reset();
      for (const k of readings) {
        if (!Number.isFinite(k.value)) continue;
        value.set({ kpi: k.kpi, scope: k.scope }, k.value);
        compliant.set({ kpi: k.kpi, scope: k.scope }, k.compliant ? 1 : 0);
      }
      return registry.metrics();
    },
  };
}

function kpidGauges() {
  const registry = new Registry();
  const m = defineKpiMetrics(registry);
  let now: readonly KpiReading[] = [];
  // One object refilled for every reading, as the alert runtime hands them over: the gauges must copy what they keep.
  const refilled = { kpi: '', scope: '', value: 0, compliant: true };
  m.readFrom({ kpis: (each) => now.forEach((k) => each(Object.assign(refilled, k))), alertCounts: () => [], openOutageClocks: () => [] });
  // Only the two KPI gauges, with the same help text as the plain ones, for a byte-for-byte comparison.
  const shown = new Registry();
  for (const [g, help] of [[m.kpiValue, 'v'], [m.kpiCompliant, 'c']] as const) {
    Object.assign(g, { help });
    shown.registerMetric(g);
  }
  return {
    async scrape(readings: readonly KpiReading[]) {
      now = readings;
      // Rendered first: each scrape must collect the readings itself.
      const rendered = (await renderMetrics(shown)).toString('utf8');
      return { rendered, text: await shown.metrics() };
    },
  };
}

/** Successive scrapes: each one's readings, in the order the rules and the ledger give them. */
const scrapes: ReadonlyArray<{ why: string; readings: KpiReading[] }> = [
  { why: 'first readings', readings: [reading('bandwidth_utilisation', 'r1 ge-0/0/1', 0.42), reading('availability', 'voice', 0.9991, false), reading('link_down', 'r1', 0)] },
  { why: 'the same KPIs and scopes in the same order, values changed', readings: [reading('bandwidth_utilisation', 'r1 ge-0/0/1', 0.43), reading('availability', 'voice', 0.9995, true), reading('link_down', 'r1', 1, false)] },
  { why: 'the same again without the last one', readings: [reading('bandwidth_utilisation', 'r1 ge-0/0/1', 0.44), reading('availability', 'voice', 0.9995, true)] },
  { why: 'values change, one KPI and scope leaves, a new one comes first', readings: [reading('call_drop_rate', 'north', 0.02, false), reading('bandwidth_utilisation', 'r1 ge-0/0/1', 0.5), reading('availability', 'voice', 1)] },
  { why: 'a KPI and scope read twice: the later value, in the first place', readings: [reading('availability', 'voice', 0.99, false), reading('call_drop_rate', 'north', 0.01), reading('availability', 'voice', 0.995, true)] },
  { why: 'values that are not finite are left out', readings: [reading('availability', 'voice', NaN), reading('call_drop_rate', 'north', Infinity), reading('link_down', 'r2', 1, false)] },
  { why: 'quotes, backslashes and line breaks in a scope are escaped', readings: [reading('link_down', 'r2 "uplink" \\ a\nb', 1, false), reading('link_down', 'r2', 0)] },
  { why: 'the same with its repeated reading', readings: [reading('link_down', 'r2 "uplink" \\ a\nb', 0, true), reading('link_down', 'r2', 1), reading('link_down', 'r2', 0.5, false)] },
  { why: 'no readings at all', readings: [] },
  { why: 'readings again after none', readings: [reading('link_down', 'r2', 1, false)] },
];

describe('kpid_kpi_value and kpid_kpi_compliant (kpi-series.ts)', () => {
  it('show, scrape after scrape, exactly what resetting the gauges and setting every reading showed', async () => {
    const plain = plainGauges();
    const kpid = kpidGauges();
    for (const { why, readings } of scrapes) {
      const expected = await plain.scrape(readings);
      const got = await kpid.scrape(readings);
      expect(got.text, why).toBe(expected);
      expect(got.rendered, why).toBe(expected);
    }
  });
});
