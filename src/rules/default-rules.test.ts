import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRuleFiles, loadRuleTestFile } from './rule-files.js';
import { DEFAULT_KPIS } from '../core/kpi-catalogue.js';
import { runRuleTests } from './rule-tests.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const testDir = join(root, 'alert-rules', 'tests');
const testFiles = readdirSync(testDir).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(testDir, f));
const defaults = loadRuleFiles(['alert-rules/*.yaml'], { baseDir: root }).rules;

describe('default rules (alert-rules/)', () => {
  it('kpid test-rules alert-rules/tests/*.yaml passes', async () => {
    const result = await runRuleTests(testFiles);
    expect(result.messages).toEqual([]);
    expect(result.failed).toBe(0);
    expect(result.passed).toBeGreaterThanOrEqual(14);
  });

  it('every default rule has a test that expects it to fire', () => {
    const fired = new Set<string>();
    for (const f of testFiles) {
      for (const t of loadRuleTestFile(f).tests) for (const c of t.alert_rule_test) if (c.exp_alerts.length) fired.add(c.alertname);
    }
    expect(defaults.map((r) => r.name).filter((n) => !fired.has(n))).toEqual([]);
  });

  it('every watch KPI of the catalogue has a default rule (interruption and recovery through outage clocks)', () => {
    const byRule = new Set(defaults.flatMap((r) => (r.kpi ? [r.kpi] : [])));
    const outageClocks = defaults.filter((r) => r.outage && r.outage.recoveryTarget === 30 * 60_000);
    expect(outageClocks.map((r) => r.name)).toContain('DeviceUnreachable');
    const missing = [...DEFAULT_KPIS.keys()].filter((id) => !byRule.has(id) && id !== 'interruption_minutes' && id !== 'recovery_minutes');
    expect(missing).toEqual([]);
  });

  it('a runner failure names the file, the test, the time and what differed', async () => {
    const bad = join(root, 'test', 'fixtures', 'rules', 'failing.test.yaml');
    const result = await runRuleTests([bad]);
    expect(result.failed).toBe(1);
    expect(result.messages[0]).toMatch(/failing\.test\.yaml: expects a leak that is not there: at 1m: CustomerDataLeak: expected firing but not found/);
  });
});
