import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRuleFiles } from '../src/rules/rule-files.js';
import { startRuntime, tempDir } from '../src/alerts/testing.js';
import { MIN, T0 } from '../src/rules/testing.js';

const RULE = `groups:
  - name: voice
    rules:
      - alert: VoiceServiceDown
        select: { measurement: probe, tags: { probe: sip } }
        value: { field: success }
        when: "= 0"
        severity: critical
        outage: { service: "voice-{{ $labels.site }}", recovery_target: 30m, warn_at: [15m, 25m] }
`;

const dist = fileURLToPath(new URL('../dist', import.meta.url));
let cleanup = () => {};
afterEach(() => cleanup());

describe('kill -9 mid-outage', () => {
  it('after SIGKILL and restart the outage keeps its true start, sent warnings stay sent, the one due while down goes out once', async () => {
    expect(existsSync(join(dist, 'alerts', 'alert-keeper.js')), 'run `npm run build` first (npm test does)').toBe(true);
    const t = tempDir();
    cleanup = t.cleanup;
    const ruleFile = join(t.dir, 'voice.yaml');
    const db = join(t.dir, 'data', 'kpid.db');
    writeFileSync(ruleFile, RULE);
    const child = spawnSync(process.execPath, [fileURLToPath(new URL('./helpers/outage-child.mjs', import.meta.url)), dist, db, ruleFile, String(T0)], { encoding: 'utf8' });
    expect(child.signal, child.stderr).toBe('SIGKILL');
    const beforeKill = child.stdout.trim().split('\n').map((l) => JSON.parse(l) as { kind: string });
    expect(beforeKill.map((n) => n.kind)).toEqual(['firing', 'sla_warning']);

    // kpid is back 26 minutes into the outage.
    const r = await startRuntime(loadRuleFiles([ruleFile]).rules, db, T0 + 26 * MIN);
    expect(r.notifier.sent.map((n) => [n.kind, n.outage?.remaining])).toEqual([['sla_warning', 4 * MIN]]);
    const [o] = r.runtime.outages();
    expect(o).toMatchObject({ state: 'open', startedAt: new Date(T0).toISOString(), sla: { remainingSeconds: 240, warningsSentSeconds: [900, 1500] } });
    expect(r.runtime.alerts().map((a) => a.state)).toEqual(['firing']);
    await r.advance(4 * MIN);
    expect(r.notifier.kinds()).toEqual(['sla_warning', 'sla_breach']);
    await r.runtime.stop();
    await r.store.close();
  });
});
