import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/config-error.js';
import { parseConfig } from '../config/load.js';
import { parseRuleTexts } from './rule-files.js';
import { FakeClock } from '../core/clock.js';
import { SqliteStateStore } from '../alerts/state/sqlite-state-store.js';
import { RecordingNotifier, wireRuntime } from '../alerts/testing.js';
import { rulesFrom, T0 } from './testing.js';

function errorsOf(rule: string): string[] {
  const text = `groups:\n  - name: g\n    rules:\n      - alert: Good\n        select: { measurement: probe }\n        value: { field: success }\n        when: "= 0"\n${rule}`;
  try {
    parseRuleTexts([{ file: 'alert-rules/bad.yaml', text }]);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message.split('\n');
  }
  throw new Error('expected the rule file to be rejected');
}

const rule = (body: string) => `      - alert: Broken\n${body.replace(/^\n/, '').split('\n').map((l) => `        ${l.trim()}`).join('\n')}\n`;

describe('rule files are rejected at load, with file:line:col, the key and the rule name', () => {
  const cases: [string, string, RegExp][] = [
    ['an unknown field', rule(`
      select: { measurement: probe }
      value: { field: success }
      when: "= 0"
      fro: 5m`), /^alert-rules\/bad\.yaml:12:9: groups\.0\.rules\.1\.fro: rule "Broken": unknown key "fro"/],
    ['a bad matcher regex', rule(`
      select: { measurement: interface, tags: { interface: "=~ ge-(0/0" } }
      value: { field: oper_up }
      when: "= 0"`), /^alert-rules\/bad\.yaml:9:\d+: groups\.0\.rules\.1\.select\.tags\.interface: rule "Broken": bad regular expression "ge-\(0\/0"/],
    ['an unknown KPI id', rule(`
      kpi: call_drop_ratio
      select: { measurement: voice }
      value: { agg: ratio, numerator: calls_dropped, denominator: call_attempts, over: 15m }`), /^alert-rules\/bad\.yaml:9:14: groups\.0\.rules\.1\.kpi: rule "Broken": unknown KPI id "call_drop_ratio"/],
    ['a percentile of an up/down flag', rule(`
      select: { measurement: interface }
      value: { field: oper_up, agg: p95, over: 5m }
      when: "< 1"`), /groups\.0\.rules\.1\.value\.agg: rule "Broken": aggregation "p95" is unknown for field "oper_up", which is a 1\/0 state/],
    ['a ratio of gauges', rule(`
      select: { measurement: interface }
      value: { agg: ratio, numerator: in_bps, denominator: speed_bps, over: 5m }
      when: "> 0.9"`), /value\.numerator: rule "Broken": aggregation "ratio" is unknown for field "in_bps", which is a gauge/],
    ['a field the measurement does not have', rule(`
      select: { measurement: probe }
      value: { field: rtt_ms, agg: avg, over: 5m }
      when: "> 0.05"`), /value\.field: rule "Broken": measurement "probe" has no field "rtt_ms"; known: success, rtt_seconds/],
    ['an unclosed template', rule(`
      select: { measurement: probe }
      value: { field: success }
      when: "= 0"
      annotations: { summary: "{{ $labels.target is down" }`), /annotations\.summary: rule "Broken": unclosed "\{\{"/],
    ['an unknown template formatter', rule(`
      select: { measurement: probe }
      value: { field: success }
      when: "= 0"
      annotations: { summary: "{{ $value | percentage }}" }`), /annotations\.summary: rule "Broken": unknown formatter "percentage"/],
    ['a template variable that does not exist', rule(`
      select: { measurement: probe }
      value: { field: success }
      when: "= 0"
      annotations: { summary: "{{ $label.target }}" }`), /annotations\.summary: rule "Broken": cannot read "\{\{ \$label\.target \}\}"/],
    ['a threshold that is not a comparison', rule(`
      select: { measurement: probe }
      value: { field: rtt_seconds }
      when: "over 50ms"`), /when: rule "Broken": "over 50ms" is not a comparison/],
    ['a clear threshold on the wrong side', rule(`
      select: { measurement: probe }
      value: { field: rtt_seconds }
      when: "> 50ms"
      clear: { when: "< 60ms" }`), /clear\.when: rule "Broken": "< 60ms" overlaps the firing condition/],
    ['a dependency on an alert that does not exist', rule(`
      select: { measurement: probe }
      value: { field: success }
      when: "= 0"
      depends_on: { alert: DeviceGone, on: [target] }`), /depends_on\.alert: rule "Broken": depends on unknown alert "DeviceGone"/],
    ['a duplicate alert name', `      - alert: Good\n        select: { measurement: probe }\n        value: { field: success }\n        when: "= 1"\n`,
      /^alert-rules\/bad\.yaml:8:16: groups\.0\.rules\.1\.alert: rule "Good": duplicate alert name \(first defined at alert-rules\/bad\.yaml:4\)$/],
  ];
  for (const [name, text, expected] of cases) {
    it(`rejects ${name}`, () => {
      const errors = errorsOf(text);
      expect(errors.some((e) => expected.test(e)), errors.join('\n')).toBe(true);
    });
  }

  it('reports every problem in every file at once', () => {
    try {
      parseRuleTexts([
        { file: 'a.yaml', text: 'groups:\n  - name: g\n    rules:\n      - alert: A\n        select: { measurement: probe }\n        value: { field: nope }\n        when: "= 0"\n' },
        { file: 'b.yaml', text: 'groups: [ { name: g, rules: [ { alert: B, select: { measurement: probe }, value: { field: success }, kpi: nope } ] } ]\n' },
      ]);
      expect.unreachable();
    } catch (err) {
      expect((err as ConfigError).issues.map((i) => i.file)).toEqual(['a.yaml', 'b.yaml']);
    }
  });
});

describe('kpis: overrides in config', () => {
  const base = 'allow_empty_targets: true\n';
  it('accepts a new target and rejects an unknown KPI or an unreadable comparison, located', () => {
    expect(parseConfig('kpid.yaml', `${base}kpis:\n  call_drop_rate: { target: "< 1%" }\n  latency: { warning: "> 80ms" }\n`, {}).kpis)
      .toEqual({ call_drop_rate: { target: '< 1%' }, latency: { warning: '> 80ms' } });
    expect(() => parseConfig('kpid.yaml', `${base}kpis:\n  call_drop: { target: "< 1%" }\n`, {})).toThrow(/kpid\.yaml:3:\d+: kpis\.call_drop: unknown KPI id "call_drop"/);
    expect(() => parseConfig('kpid.yaml', `${base}kpis:\n  call_drop_rate: { target: "about 1%" }\n`, {})).toThrow(/kpid\.yaml:3:29: kpis\.call_drop_rate\.target: "about 1%" is not a comparison/);
  });
});

describe('reload', () => {
  const v1 = rulesFrom(`
  - alert: ProbeDown
    select: { measurement: probe }
    value: { field: success }
    when: "= 0"
  - alert: Slow
    select: { measurement: probe }
    value: { field: rtt_seconds }
    when: "> 1s"
  `);
  const sample = (fields: Record<string, number>, time: number) => ({ measurement: 'probe', tags: { target: 'a' }, fields, time });

  it('a rejected rule file leaves the running rules in place; a valid one carries firing alerts over without re-announcing them', async () => {
    const clock = new FakeClock(T0);
    const store = new SqliteStateStore(':memory:');
    const notifier = new RecordingNotifier();
    const wired = wireRuntime(v1, { clock, store, notifier });
    const runtime = wired.runtime;
    await wired.start();
    wired.rules.write([sample({ success: 0, rtt_seconds: 2 }, T0)]);
    await runtime.flush();
    expect(notifier.kinds()).toEqual(['firing', 'firing']);

    // The loader throws; the caller never gets to replaceRules.
    expect(() => rulesFrom(`
    - alert: ProbeDown
      select: { measurement: probe }
      value: { field: success, agg: p99, over: 1m }
      when: "= 0"
    `)).toThrow(ConfigError);
    clock.advance(1000);
    wired.rules.write([sample({ success: 1, rtt_seconds: 2 }, T0 + 1000)]);
    await runtime.flush();
    expect(notifier.kinds()).toEqual(['firing', 'firing', 'resolved']);

    // v2 keeps Slow (still firing, not announced again) and drops ProbeDown.
    clock.advance(1000);
    wired.rules.write([sample({ success: 0, rtt_seconds: 2 }, T0 + 2000)]);
    await runtime.flush();
    wired.rules.replaceRules(rulesFrom(`
    - alert: Slow
      select: { measurement: probe }
      value: { field: rtt_seconds }
      when: "> 1s"
    `), runtime.activeAlerts());
    clock.advance(1000);
    wired.rules.write([sample({ success: 0, rtt_seconds: 3 }, T0 + 3000)]);
    await runtime.flush();
    expect(notifier.kinds()).toEqual(['firing', 'firing', 'resolved', 'firing', 'resolved']);
    expect(notifier.sent[4]!.labels.alertname).toBe('ProbeDown');
    expect(runtime.alerts().map((a) => [a.rule, a.state])).toEqual([['Slow', 'firing']]);
    await wired.stop();
    await store.close();
  });
});
