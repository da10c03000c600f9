import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnmpCollector } from '../src/collectors/snmp/snmp-collector.js';
import { snmpTarget, type SnmpConfig } from '../src/collectors/snmp/snmp-config.js';
import { silentLogger } from '../src/core/logger.js';
import type { Sample } from '../src/core/sample.js';
import type { Target } from '../src/core/target.js';
import { startStaticSnmpd, type StaticOid, type StaticSnmpd } from './helpers/snmpd-static.js';

/** The trunk-group table of config/examples/voice-switch.yaml, under the placeholder enterprise arc. */
const TRUNK = '1.3.6.1.4.1.99999.2.1';
const NAME = `${TRUNK}.2`;
const ATTEMPTS = `${TRUNK}.3`;
const DROPPED = `${TRUNK}.5`;
const ACTIVE = `${TRUNK}.6`;

/** Rows 1, 2 and 17: a gap in the index, as real trunk tables have. Row 2's 32-bit counter is about to wrap. */
const table = (attempts: [number, number, number], dropped: [number, number, number]): StaticOid[] => [
  { oid: `${NAME}.1`, type: 'string', value: 'TG Beijing' },
  { oid: `${NAME}.2`, type: 'string', value: 'TG Shanghai' },
  { oid: `${NAME}.17`, type: 'string', value: 'TG spare' },
  ...[1, 2, 17].flatMap((row, i): StaticOid[] => [
    { oid: `${ATTEMPTS}.${row}`, type: 'counter', value: attempts[i]! },
    { oid: `${DROPPED}.${row}`, type: 'counter64', value: dropped[i]! },
    { oid: `${ACTIVE}.${row}`, type: 'gauge', value: (i + 1) * 10 },
  ]),
];

describe('custom OID tables (table: true) against snmpd serving a known trunk-group table', () => {
  let agent: StaticSnmpd;
  const collector = new SnmpCollector({ log: silentLogger() });
  const signal = new AbortController().signal;
  let target: Target;
  const voice = (samples: Sample[]) =>
    new Map(samples.filter((s) => s.measurement === 'voice').map((s) => [s.tags.trunk_index, s]));

  beforeAll(async () => {
    agent = await startStaticSnmpd('127.0.0.1', table([1000, 4_294_967_290, 0], [10, 20, 0]));
    const spec: SnmpConfig = snmpTarget.parse({
      version: '2c', community: 'public', port: agent.port, modules: ['system', 'custom'], timeout: '10s',
      custom: [{
        measurement: 'voice', table: true, index_tag: 'trunk_index',
        tags: { trunk: NAME },
        fields: {
          call_attempts: { oid: ATTEMPTS, type: 'counter', as: 'delta' },
          calls_dropped: { oid: DROPPED, type: 'counter', as: 'delta' },
          active_calls: { oid: ACTIVE, type: 'gauge' },
        },
      }],
    });
    // The agent forks a Perl `pass` script per OID it serves: on a machine at load 12 its answers
    // outlasted the default 1 s SNMP timeout and its retry. This test is about deltas, not speed:
    // 10 s per request (above), 30 s for the poll.
    target = { name: 'voice-sw-1', site: 'bj', address: agent.address, labels: {}, interval: 60_000, timeout: 30_000, probes: [], snmp: spec };
  });
  afterAll(async () => {
    await collector.close();
    await agent?.stop();
  });

  it('one sample per row, tagged with the row index and the name column; gauges from the first poll', async () => {
    const rows = voice(await collector.collect(target, target.snmp as SnmpConfig, signal));
    expect([...rows.keys()].sort()).toEqual(['1', '17', '2']);
    expect(rows.get('17')!.tags).toEqual({ target: 'voice-sw-1', site: 'bj', trunk_index: '17', trunk: 'TG spare' });
    expect(rows.get('2')!.tags.trunk).toBe('TG Shanghai');
    // Counters need a second poll; the gauge is a value at once.
    expect(Object.fromEntries([...rows].map(([i, s]) => [i, s.fields]))).toEqual({
      1: { active_calls: 10 }, 2: { active_calls: 20 }, 17: { active_calls: 30 },
    });
  });

  it('the second poll gives each row its own counter increase, across a 32-bit wrap', async () => {
    // Row 2's call_attempts wraps: 4 294 967 290 → 10 is an increase of 16.
    agent.serve(table([1150, 10, 0], [13, 20, 7]));
    await new Promise((r) => setTimeout(r, 1500)); // past snmpd's one-second pass cache
    const rows = voice(await collector.collect(target, target.snmp as SnmpConfig, signal));
    expect(Object.fromEntries([...rows].map(([i, s]) => [i, s.fields]))).toEqual({
      1: { call_attempts: 150, calls_dropped: 3, active_calls: 10 },
      2: { call_attempts: 16, calls_dropped: 0, active_calls: 20 },
      17: { call_attempts: 0, calls_dropped: 7, active_calls: 30 },
    });
  });
});
