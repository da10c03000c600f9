import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { Alerting } from '../src/alerts/alerting.js';
import { ConfigError } from '../src/config/config-error.js';
import { loadConfig } from '../src/config/load.js';
import { FakeClock } from '../src/core/clock.js';
import { defineKpiMetrics } from '../src/metrics/kpi-metrics.js';
import { RecordingNotifier, tempDir } from './helpers/alert-runtime.js';
import { T0 } from './helpers/rules.js';

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

describe('Alerting (what the daemon wires)', () => {
  it('starts from config/kpid.yaml with the shipped rules and a SQLite file under data/', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const root = fileURLToPath(new URL('..', import.meta.url));
    const cfg = loadConfig(join(root, 'config', 'kpid.yaml'), {});
    const alerting = await Alerting.start({ ...cfg, state: { sqlite: join(t.dir, 'data', 'kpid.db') } }, {
      clock: new FakeClock(T0), log, metrics: defineKpiMetrics(new Registry()), notifier: new RecordingNotifier(), baseDir: root,
    });
    expect(alerting.rules.rules.length).toBe(33);
    await alerting.close();
  });

  it('a reload with a broken rule file throws and keeps the old rules; a good one swaps them', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const file = join(t.dir, 'r.yaml');
    writeFileSync(file, RULE('> 1s'));
    const clock = new FakeClock(T0);
    const notifier = new RecordingNotifier();
    const config = { rules: [file], kpis: {}, state: { sqlite: join(t.dir, 'kpid.db') } };
    const alerting = await Alerting.start(config, { clock, log, metrics: defineKpiMetrics(new Registry()), notifier });
    writeFileSync(file, RULE('faster than light'));
    expect(() => alerting.reload(config)).toThrow(ConfigError);
    alerting.runtime.write([{ measurement: 'probe', tags: { target: 'a' }, fields: { rtt_seconds: 2 }, time: T0 }]);
    await alerting.runtime.flush();
    expect(notifier.kinds()).toEqual(['firing']);
    writeFileSync(file, RULE('> 5s'));
    alerting.reload(config);
    clock.advance(1000);
    alerting.runtime.write([{ measurement: 'probe', tags: { target: 'a' }, fields: { rtt_seconds: 2 }, time: T0 + 1000 }]);
    await alerting.runtime.flush();
    expect(notifier.kinds()).toEqual(['firing', 'resolved']);
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
    const alerting = await Alerting.start({ rules: [file], kpis: {}, state: { sqlite: join(t.dir, 'kpid.db') } }, {
      clock, log: logger, metrics: defineKpiMetrics(new Registry()), notifier,
    });
    alerting.runtime.write([{ measurement: 'probe', tags: { target: 'a' }, fields: { rtt_seconds: 2 }, time: T0 }]);
    clock.advance(1000);
    alerting.runtime.write([{ measurement: 'probe', tags: { target: 'a' }, fields: { rtt_seconds: 0.1 }, time: T0 + 1000 }]);
    await alerting.runtime.flush();
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(['firing', 'resolved']);
    expect(errors).toContain('notify refused a notification');
    await alerting.close();
  });

  it('refuses a Redis state store it does not have yet, naming the key', async () => {
    await expect(Alerting.start({ rules: [], kpis: {}, state: { redis: 'redis://127.0.0.1:6379/0' } }, {
      clock: new FakeClock(T0), log, metrics: defineKpiMetrics(new Registry()), notifier: new RecordingNotifier(),
    })).rejects.toThrow(/state: \{ redis: \.\.\. \} is not available yet/);
  });
});
