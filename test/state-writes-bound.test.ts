import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStateStore } from '../src/alerts/state/redis-state-store.js';
import { RecordingNotifier, wireRuntime } from '../src/alerts/testing.js';
import { FakeClock } from '../src/core/clock.js';
import { defineKpiMetrics } from '../src/metrics/kpi-metrics.js';
import { rulesFrom, T0 } from '../src/rules/testing.js';
import { RedisServer } from './helpers/redis.js';

const rules = rulesFrom(`
- alert: LinkDown
  select: { measurement: interface }
  value: { field: oper_up }
  when: "< 1"
  severity: critical
`);
const down = (target: string) => ({ measurement: 'interface', tags: { target, interface: 'ge-0/0/1' }, fields: { oper_up: 0 }, time: T0 });

describe('issue 14 §8: alert state writes while Redis is down', () => {
  const redis = new RedisServer();
  beforeAll(() => redis.start());
  afterAll(() => redis.cleanup());

  it('wait in a bounded queue; what does not fit is dropped and counted in kpid_state_writes_dropped_total', async () => {
    const registry = new Registry();
    const metrics = defineKpiMetrics(registry);
    const store = new RedisStateStore(redis.url);
    const wired = wireRuntime(rules, { clock: new FakeClock(T0), store, notifier: new RecordingNotifier(), metrics, maxPendingWrites: 10 });
    let redisDown = false;
    try {
      await wired.start();
      await wired.runtime.flush();
      await redis.stop('SIGKILL');
      redisDown = true;
      // 30 alerts fire in one poll: a batch begin, 30 alert writes, 30 claims of their messages and the commit, against a queue of 10.
      wired.rules.write(Array.from({ length: 30 }, (_, i) => down(`r${i}`)));
      const dropped = async () => (await registry.getSingleMetric('kpid_state_writes_dropped_total')!.get()).values[0]?.value;
      expect(await dropped()).toBe(52);
      await redis.start();
      redisDown = false;
      await wired.runtime.flush();
      // The first writes waited and reached Redis once it was back.
      expect((await store.listAlerts()).length).toBeGreaterThan(0);
      expect((await store.listAlerts()).length).toBeLessThanOrEqual(10);
    } finally {
      // Writes still waiting would hold stop() forever: let them through first.
      if (redisDown) await redis.start();
      await wired.stop();
      await store.close();
    }
  }, 60_000);
});
