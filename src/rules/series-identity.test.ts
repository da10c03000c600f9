import { describe, expect, it } from 'vitest';
import { createEngineState, evaluate, forgetSeries } from './engine.js';
import { arrows, MIN, rulesFrom, T0 } from './testing.js';

// The engine finds a sample's series by its tags object when that object
// came before (engine.ts seriesFor); these say that this is only a shortcut:
// a series is still its measurement and tag values.
const rules = rulesFrom(`
- alert: LinkDown
  select: { measurement: interface }
  value: { field: oper_up }
  when: "= 0"
  severity: critical
  annotations: { summary: "{{ $labels.target }} down" }
- alert: ProbeDown
  select: { measurement: probe }
  value: { field: success }
  when: "= 0"
  severity: critical
  annotations: { summary: "{{ $labels.target }} down" }
`);

describe('a series is its measurement and tags, whichever object carries them', () => {
  it('a series forgotten and heard again through the same tags object is bound and alerts afresh', () => {
    const state = createEngineState(rules);
    const tags = { target: 'r1', interface: 'ge-0/0/1' };
    expect(arrows(evaluate(state, [{ measurement: 'interface', tags, fields: { oper_up: 0 }, time: T0 }], T0).transitions))
      .toEqual(['LinkDown:inactive->firing']);
    forgetSeries(state, () => true);
    expect(state.series.size).toBe(0);
    const again = evaluate(state, [{ measurement: 'interface', tags, fields: { oper_up: 0 }, time: T0 + MIN }], T0 + MIN);
    expect(arrows(again.transitions)).toEqual(['LinkDown:inactive->firing']);
    expect([...state.series.keys()]).toEqual(['interface,interface=ge-0/0/1,target=r1']);
  });

  it('one tags object sent under two measurements makes two series, each with its own rules', () => {
    const state = createEngineState(rules);
    const tags = { target: 'r1' };
    const out = evaluate(state, [
      { measurement: 'interface', tags, fields: { oper_up: 0 }, time: T0 },
      { measurement: 'probe', tags, fields: { success: 0 }, time: T0 },
    ], T0).transitions;
    expect(arrows(out)).toEqual(['LinkDown:inactive->firing', 'ProbeDown:inactive->firing']);
    expect([...state.series.keys()].sort()).toEqual(['interface,target=r1', 'probe,target=r1']);
  });

  it('equal tags in new objects at every poll stay one series', () => {
    const state = createEngineState(rules);
    evaluate(state, [{ measurement: 'interface', tags: { target: 'r1' }, fields: { oper_up: 0 }, time: T0 }], T0);
    const out = evaluate(state, [{ measurement: 'interface', tags: { target: 'r1' }, fields: { oper_up: 0 }, time: T0 + MIN }], T0 + MIN);
    expect(out.transitions).toEqual([]);
    expect(state.series.size).toBe(1);
  });
});
