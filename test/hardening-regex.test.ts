import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRuleTexts } from '../src/rules/rule-files.js';
import { routeMatches } from '../src/notify/routing/route-match.js';
import { interfaceFilter } from '../src/collectors/snmp/interface-table.js';
import { eventually, CLI, requireBuild, startKpid } from './helpers/kpid-process.js';

/**
 * Issue 14 §4: `(a+)+b` passed check-config, and one pushed tag value then
 * blocked V8's backtracking engine for seconds. Patterns from config and rule
 * files now run on RE2 (linear time); what RE2 cannot run is refused at load.
 */
const EVIL = '(a+)+b';
const ATTACK = `${'a'.repeat(40)}c`;
const dir = mkdtempSync(join(tmpdir(), 'kpid-hardening-regex-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ruleFile = (pattern: string) => `groups:
  - name: regex
    rules:
      - alert: ScopeMatched
        select: { measurement: kpi, tags: { kpi: fuzz_kpi, scope: "=~ ${pattern}" } }
        value: { field: value }
        when: "> 0"
        severity: warning
`;
const config = (rules: string, opts: { matchRe?: string; include?: string } = {}) => `
server: { listen: "127.0.0.1:0" }
state: { sqlite: "${join(dir, `state-${Math.random().toString(36).slice(2)}.db`)}" }
rules: [ "${rules}" ]
notify:
  channels:
    hook: { webhook: { url: "http://127.0.0.1:9/hook" } }
  routes:
    - { match_re: { scope: "${opts.matchRe ?? EVIL}" }, channels: [hook] }
targets:
  - name: r1
    address: 127.0.0.1
    snmp: { community: public, interfaces: { include: "${opts.include ?? EVIL}" } }
`;
function checkConfig(name: string, rules: string, opts: { matchRe?: string; include?: string } = {}) {
  requireBuild();
  const rulesFile = join(dir, `${name}.rules.yaml`);
  writeFileSync(rulesFile, rules);
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, config(rulesFile, opts));
  const r = spawnSync(process.execPath, [CLI, 'check-config', '-c', file], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: r.stdout + r.stderr, file, rulesFile };
}

describe('regular expressions from config run in linear time', () => {
  it('check-config accepts (a+)+b in a rule selector, a route match_re and an SNMP interface filter', () => {
    const r = checkConfig('evil', ruleFile(EVIL));
    expect(r.out).toContain('ok (1 target');
    expect(r.status).toBe(0);
  });

  it.each([
    ['a rule =~ selector', ruleFile('(a)\\\\1'), {}, 'rules', /:5:\d+: groups\.0\.rules\.0\.select\.tags\.scope: rule "ScopeMatched": regular expression "\(a\)\\1" uses backreferences/],
    ['a route match_re', ruleFile('a'), { matchRe: '(a)\\\\1' }, 'config', /:9:\d+: notify\.routes\.0\.match_re\.scope: regular expression "\(a\)\\1" uses backreferences/],
    ['an SNMP interface include', ruleFile('a'), { include: '(?=eth)e' }, 'config', /:13:\d+: targets\.0\.snmp\.interfaces\.include: regular expression "\(\?=eth\)e" uses lookahead and lookbehind/],
  ])('check-config refuses what RE2 cannot run in %s, with file:line:col', (_where, rules, opts, inFile, message) => {
    const r = checkConfig(`refused-${inFile}-${Object.keys(opts).join('')}`, rules, opts);
    expect(r.status).toBe(1);
    const lines = r.out.trim().split('\n');
    expect(lines).toEqual([expect.stringMatching(message)]);
    expect(lines[0]!.startsWith(inFile === 'rules' ? r.rulesFile : r.file)).toBe(true);
  });

  it('the attack value against every matcher built from (a+)+b keeps the event loop lag under 500 ms', async () => {
    const [rule] = parseRuleTexts([{ file: 'evil.yaml', text: ruleFile(EVIL) }]).rules;
    const route = { match: {}, matchRe: { scope: EVIL } } as unknown as Parameters<typeof routeMatches>[0];
    const keep = interfaceFilter({ include: EVIL, mustBeUp: [], neverAlert: [] });
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const results: boolean[] = [];
    for (let i = 0; i < 5; i++) {
      await sleep(20);
      results.push(rule!.matchers.every((m) => m.test({ kpi: 'fuzz_kpi', scope: ATTACK })));
      results.push(routeMatches(route, { labels: { scope: ATTACK }, severity: 'warning' }));
      results.push(keep({ name: ATTACK, alias: '' } as Parameters<typeof keep>[0]));
    }
    await sleep(20);
    lag.disable();
    expect(results.every((r) => r === false)).toBe(true);
    expect(lag.max / 1e6).toBeLessThan(500);
    // The same matchers still match what they should.
    expect(rule!.matchers.every((m) => m.test({ kpi: 'fuzz_kpi', scope: 'aaab' }))).toBe(true);
    expect(routeMatches(route, { labels: { scope: 'aab' }, severity: 'warning' })).toBe(true);
  });

  it('a daemon given the attack value through /api/v1/ingest keeps answering, and the rule still fires on a matching value', async () => {
    const rulesFile = join(dir, 'daemon.rules.yaml');
    writeFileSync(rulesFile, ruleFile(EVIL));
    const kpid = await startKpid(`
server: { listen: "127.0.0.1:0" }
state: { sqlite: "${join(dir, 'daemon.db')}" }
rules: [ "${rulesFile}" ]
allow_empty_targets: true
`);
    try {
      const push = (scope: string) => fetch(`${kpid.url}/api/v1/ingest`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ measurement: 'kpi', tags: { kpi: 'fuzz_kpi', scope }, fields: { value: 1 } }]),
        signal: AbortSignal.timeout(5_000),
      });
      expect((await push(ATTACK)).status).toBe(200);
      const health = await fetch(`${kpid.url}/healthz`, { signal: AbortSignal.timeout(5_000) });
      expect(health.status).toBe(200);
      expect((await push('aaab')).status).toBe(200);
      const alerts = await eventually(async () => {
        const body = (await (await fetch(`${kpid.url}/api/v1/alerts`)).json()) as { alerts: Array<{ labels: Record<string, string> }> };
        return body.alerts.length > 0 && body.alerts;
      }, 10_000);
      expect(alerts.map((a) => a.labels.scope)).toEqual(['aaab']);
    } finally {
      await kpid.stop();
    }
  });
});
