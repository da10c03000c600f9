import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { RulesAndAlerts } from '../src/daemon/alerting.js';
import { outboxAfter } from '../src/daemon/sinks.js';
import { ConfigError } from '../src/config/config-error.js';
import { loadConfig } from '../src/config/load.js';
import { FakeClock } from '../src/core/clock.js';
import { defineKpiMetrics } from '../src/metrics/kpi-metrics.js';
import { RecordingNotifier, tempDir } from '../src/alerts/testing.js';
import { HOUR, T0, WEEK } from '../src/rules/testing.js';
import { RedisServer } from './helpers/redis.js';
import { RedisStateStore } from '../src/alerts/state/redis-state-store.js';

const log = pino({ level: 'silent' });
let cleanup = () => {};
afterEach(() => cleanup());

const RULE = (when: string) => `groups:
  - name: g
    rules:
      - alert: ProbeSlow
        select: { measurement: probe }
        value: { field: rtt_seconds }
        when: "${when}"
`;

describe('Rules and alerts (what the daemon wires)', () => {
  it('starts from config/kpid.yaml with the shipped rules and a SQLite file under data/', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const root = fileURLToPath(new URL('..', import.meta.url));
    const cfg = loadConfig(join(root, 'config', 'kpid.yaml'), {});
    const alerting = await RulesAndAlerts.start({ ...cfg, state: { sqlite: join(t.dir, 'data', 'kpid.db') } }, {
      clock: new FakeClock(T0), log, metrics: defineKpiMetrics(new Registry()), notifier: new RecordingNotifier(),
    });
    expect(alerting.rules.rules.length).toBe(37);
    await alerting.close();
  });

  it('what the shipped baseline rule learnt survives a restart of the daemon\'s rules and alerts (saved at close, loaded at start)', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const clock = new FakeClock(T0);
    const root = fileURLToPath(new URL('..', import.meta.url));
    const config = { rules: [join(root, 'alert-rules', '3.3-trends.yaml')], kpis: {}, state: { sqlite: join(t.dir, 'kpid.db') } };
    const start = (notifier: RecordingNotifier) => RulesAndAlerts.start(config, { clock, log, metrics: defineKpiMetrics(new Registry()), notifier });
    // Four weeks of one daily pattern (0.2 % at night, 0.4 % by day), an hour apart.
    const calls = (extra = 0) => ({ call_attempts: 1000, calls_dropped: Math.round(1000 * ((new Date(clock.now()).getUTCHours() >= 8 ? 0.004 : 0.002) + extra)) });
    const first = await start(new RecordingNotifier());
    for (; clock.now() < T0 + 4 * WEEK; clock.advance(HOUR)) first.runner.write([{ measurement: 'voice', tags: { target: 'msc-1' }, fields: calls(), time: clock.now() }]);
    await first.close();

    const notifier = new RecordingNotifier();
    const second = await start(notifier);
    for (let i = 0; i < 2; i++, clock.advance(HOUR)) second.runner.write([{ measurement: 'voice', tags: { target: 'msc-1' }, fields: calls(0.02), time: clock.now() }]);
    await second.runtime.flush();
    expect(second.runtime.activeAlerts().map((a) => a.rule)).toEqual(['CallDropRateUnusual']);
    await second.close();
  });

  it('a reload with a broken rule file throws and keeps the old rules; a good one swaps them', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const file = join(t.dir, 'r.yaml');
    writeFileSync(file, RULE('> 1s'));
    const clock = new FakeClock(T0);
    const notifier = new RecordingNotifier();
    const config = { rules: [file], kpis: {}, state: { sqlite: join(t.dir, 'kpid.db') } };
    const alerting = await RulesAndAlerts.start(config, { clock, log, metrics: defineKpiMetrics(new Registry()), notifier });
    writeFileSync(file, RULE('faster than light'));
    expect(() => alerting.reload(config)).toThrow(ConfigError);
    alerting.runner.write([{ measurement: 'probe', tags: { target: 'a' }, fields: { rtt_seconds: 2 }, time: T0 }]);
    await alerting.runtime.flush();
    expect(notifier.kinds()).toEqual(['firing']);
    writeFileSync(file, RULE('> 5s'));
    alerting.reload(config);
    clock.advance(1000);
    alerting.runner.write([{ measurement: 'probe', tags: { target: 'a' }, fields: { rtt_seconds: 2 }, time: T0 + 1000 }]);
    await alerting.runtime.flush();
    expect(notifier.kinds()).toEqual(['firing', 'resolved']);
    await alerting.close();
  });

  it('a reload that lengthens a route\'s group_wait lengthens the outbox wait of the next firing message (another instance must not deliver it early)', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const file = join(t.dir, 'r.yaml');
    writeFileSync(file, RULE('> 1s'));
    const clock = new FakeClock(T0);
    const route = (groupWait: number) => ({ notify: { routes: [{ repeat: 4 * 3_600_000, group_wait: groupWait, group_interval: 1_000 }], escalations: {} } });
    const config = { rules: [file], kpis: {}, state: { sqlite: join(t.dir, 'kpid.db') } };
    const alerting = await RulesAndAlerts.start({ ...config, ...route(1_000) }, {
      clock, log, metrics: defineKpiMetrics(new Registry()), notifier: new RecordingNotifier(), outboxAfter,
    });
    alerting.runner.write([{ measurement: 'probe', tags: { target: 'a' }, fields: { rtt_seconds: 2 }, time: T0 }]);
    await alerting.runtime.flush();
    alerting.reload({ ...config, ...route(600_000) });
    alerting.runner.write([{ measurement: 'probe', tags: { target: 'b' }, fields: { rtt_seconds: 2 }, time: T0 }]);
    await alerting.runtime.flush();
    const due = async (at: number) => (await alerting.store.overdueOutbox(at)).map((e) => e.notification.labels.target);
    expect(await due(T0 + 6_000)).toEqual(['a']);
    expect(await due(T0 + 605_000)).toEqual(['a', 'b']);
    await alerting.close();
  });

  it('a notifier whose deliver rejects is logged, not thrown, and later notifications still go out', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const file = join(t.dir, 'r.yaml');
    writeFileSync(file, RULE('> 1s'));
    const clock = new FakeClock(T0);
    const errors: string[] = [];
    const seen: string[] = [];
    const notifier = {
      deliver: async (n: { kind: string }) => {
        seen.push(n.kind);
        if (n.kind === 'firing') throw new Error('queue down');
      },
    };
    const logger = pino({ level: 'error' }, { write: (line: string) => void errors.push(JSON.parse(line).msg) });
    const alerting = await RulesAndAlerts.start({ rules: [file], kpis: {}, state: { sqlite: join(t.dir, 'kpid.db') } }, {
      clock, log: logger, metrics: defineKpiMetrics(new Registry()), notifier,
    });
    alerting.runner.write([{ measurement: 'probe', tags: { target: 'a' }, fields: { rtt_seconds: 2 }, time: T0 }]);
    clock.advance(1000);
    alerting.runner.write([{ measurement: 'probe', tags: { target: 'a' }, fields: { rtt_seconds: 0.1 }, time: T0 + 1000 }]);
    await alerting.runtime.flush();
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(['firing', 'resolved']);
    expect(errors).toContain('notify refused a notification');
    await alerting.close();
  });

  it('keeps alerts in the Redis state store that state: { redis } names', async () => {
    const redis = new RedisServer();
    await redis.start();
    const t = tempDir();
    cleanup = () => {
      t.cleanup();
      void redis.cleanup();
    };
    const file = join(t.dir, 'r.yaml');
    writeFileSync(file, RULE('> 1s'));
    const notifier = new RecordingNotifier();
    const alerting = await RulesAndAlerts.start({ rules: [file], kpis: {}, state: { redis: redis.url } }, {
      clock: new FakeClock(T0), log, metrics: defineKpiMetrics(new Registry()), notifier,
    });
    alerting.runner.write([{ measurement: 'probe', tags: { target: 'a' }, fields: { rtt_seconds: 2 }, time: T0 }]);
    await alerting.runtime.flush();
    expect(notifier.kinds()).toEqual(['firing']);
    await alerting.close();
    const reader = new RedisStateStore(redis.url);
    expect((await reader.listAlerts()).map((a) => [a.rule, a.state])).toEqual([['ProbeSlow', 'firing']]);
    await reader.close();
  });
});
