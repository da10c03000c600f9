import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { FakeClock } from '../core/clock.js';
import { defineKpiMetrics } from '../metrics/kpi-metrics.js';
import { rulesFrom, T0 } from '../rules/testing.js';
import { SqliteStateStore } from './state/sqlite-state-store.js';
import { RecordingNotifier, tempDir, wireRuntime } from './testing.js';

// `for: 1m` on purpose: pending→firing is slow, and the pending flips count as changes all the same.
const rules = rulesFrom(`
- alert: PortErrors
  select: { measurement: interface, tags: { ifName: ge-0/0/1 } }
  value: { field: in_utilization }
  when: "> 10"
  for: 1m
  severity: warning
`);

const POLL = 30_000;

/**
 * One series through a flapping episode, poll by poll (one value per 30 s
 * poll; 20 is over the line, 0 under it). Each row states what people are
 * told during it, and whether the API shows the alert flapping at its end.
 */
const phases: { phase: string; values: number[]; told: string[]; flapping: boolean }[] = [
  { phase: 'a spike shorter than for: stays pending, then one that lasts fires', values: [20, 0, 20, 20, 20], told: ['firing'], flapping: false },
  { phase: 'it clears: the fifth change in 30 min, so it flaps; one message says so', values: [0], told: ['flapping'], flapping: true },
  { phase: 'it keeps flipping for 10 minutes: silence', values: Array.from({ length: 20 }, (_, i) => (i % 3 === 2 ? 0 : 20)), told: [], flapping: true },
  { phase: 'it stays over the line: silence until the window holds fewer than 2 changes', values: Array.from({ length: 55 }, () => 20), told: [], flapping: true },
  { phase: 'stable for 30 minutes: one message with its present state, firing', values: Array.from({ length: 10 }, () => 20), told: ['flap_ended'], flapping: false },
  { phase: 'then it clears for good: resolved, as usual', values: Array.from({ length: 10 }, () => 0), told: ['resolved'], flapping: false },
];

/** The same start, but it settles under the line: the "stable again" message is the resolution; nothing follows it. */
const settlesResolved: typeof phases = [
  ...phases.slice(0, 3),
  { phase: 'it stays under the line: silence while the window still holds the flips', values: Array.from({ length: 55 }, () => 0), told: [], flapping: true },
  { phase: 'stable for 30 minutes: one message with its present state, resolved', values: Array.from({ length: 10 }, () => 0), told: ['flap_ended'], flapping: false },
  { phase: 'and nothing after it', values: Array.from({ length: 20 }, () => 0), told: [], flapping: false },
];

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

describe('flap detection', () => {
  async function drive(table: typeof phases) {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const clock = new FakeClock(T0);
    const notifier = new RecordingNotifier();
    const registry = new Registry();
    const metrics = defineKpiMetrics(registry);
    const wired = wireRuntime(rules, { clock, store: new SqliteStateStore(join(t.dir, 'kpid.db')), notifier, metrics });
    await wired.start();
    const flappingGauge = async () => (await registry.getSingleMetric('kpid_alerts')!.get()).values
      .filter((v) => v.labels.state === 'flapping').reduce((sum, v) => sum + v.value, 0);

    for (const p of table) {
      const before = notifier.sent.length;
      for (const level of p.values) {
        await clock.advanceAsync(POLL, 1_000);
        wired.rules.write([{ measurement: 'interface', tags: { target: 'r1', ifName: 'ge-0/0/1' }, fields: { in_utilization: level }, time: clock.now() }]);
        await wired.runtime.flush();
      }
      expect(notifier.kinds().slice(before), p.phase).toEqual(p.told);
      expect(wired.runtime.alerts().every((a) => a.flapping === p.flapping), p.phase).toBe(true);
      expect(await flappingGauge(), p.phase).toBe(p.flapping ? 1 : 0);
    }
    await wired.stop();
    return notifier;
  }

  it('a flapping series gives exactly one firing, one "flapping", one "stable again" and one resolved', async () => {
    const told = await drive(phases);
    expect(told.kinds()).toEqual(['firing', 'flapping', 'flap_ended', 'resolved']);
    expect(told.sent[2]).toMatchObject({ summary: 'PortErrors: stable again, still firing' });
    expect(told.sent[2]!.endsAt).toBeUndefined();
  });

  it('a flap that settles resolved ends with one "stable again, resolved" and no separate resolution', async () => {
    const told = await drive(settlesResolved);
    expect(told.kinds()).toEqual(['firing', 'flapping', 'flap_ended']);
    expect(told.sent[2]).toMatchObject({ summary: 'PortErrors: stable again, resolved' });
    expect(told.sent[2]!.endsAt).toBeGreaterThan(told.sent[1]!.startsAt);
  });
});
