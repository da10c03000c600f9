import { describe, expect, it } from 'vitest';
import type { AlertTransition } from '../core/alert.js';
import { FakeClock } from '../core/clock.js';
import { shiftTimes } from './clock-step.js';
import { createEngineState, evaluate } from './engine.js';
import { RuleRunner } from './rule-runner.js';
import { MIN, rulesFrom, T0 } from './testing.js';

// issue 14 §9: `for`, `clear.for` and `no_data` measure real elapsed time, whatever the wall clock does.
const HOUR = 60 * MIN;
const rules = rulesFrom(`
- alert: HighLatency
  select: { measurement: probe }
  value: { field: rtt_seconds, agg: avg, over: 3m }
  when: "> 0.1"
  for: 10m
  clear: { when: "< 0.04", for: 5m }
  severity: warning
- alert: ProbeSilent
  select: { measurement: target }
  value: { field: up }
  when: "= 0"
  no_data: 10m
  severity: warning
`);

/** Real minutes of each transition. Polls every minute with the jumped wall clock's stamp: bad rtt until `goodFrom`, good after; one heartbeat at 0. */
function run(jump: number, atMinute: number, goodFrom: number, until: number): Array<[number, string]> {
  const clock = new FakeClock(T0);
  const seen: Array<[number, string]> = [];
  const runner = new RuleRunner({
    clock, rules,
    onTransitions: (ts: readonly AlertTransition[]) => { for (const t of ts) seen.push([clock.monotonic() / MIN, `${t.rule}:${t.to}`]); },
  });
  runner.start();
  runner.write([{ measurement: 'target', tags: { target: 'x' }, fields: { up: 1 }, time: clock.now() }]);
  for (let minute = 0; minute <= until; minute++) {
    runner.write([{ measurement: 'probe', tags: { target: 'x' }, fields: { rtt_seconds: minute < goodFrom ? 0.2 : 0.01 }, time: clock.now() }]);
    clock.advance(MIN / 2);
    if (minute === atMinute) clock.jump(jump);
    clock.advance(MIN / 2);
  }
  runner.stop();
  return seen;
}

describe('rule timers across a wall clock jump', () => {
  const unjumped = run(0, 0, 20, 40);
  it('without a jump: pending at 0, firing at 10, silent heartbeat at 10, resolved 5 minutes after the rtt clears', () => {
    expect(unjumped).toEqual([
      [0, 'HighLatency:pending'], [10, 'ProbeSilent:firing'], [10, 'HighLatency:firing'], [27, 'HighLatency:resolved'],
    ]);
  });

  it.each([
    { jump: 2 * HOUR, atMinute: 3, name: 'forward 2 h while pending' },
    { jump: -HOUR, atMinute: 3, name: 'back 1 h while pending' },
    { jump: 2 * HOUR, atMinute: 24, name: 'forward 2 h while clearing' },
    { jump: -HOUR, atMinute: 24, name: 'back 1 h while clearing' },
  ])('$name: the same transitions at the same real minutes', ({ jump, atMinute }) => {
    expect(run(jump, atMinute, 20, 40)).toEqual(unjumped);
  });
});

describe('a firing alert across a wall clock step', () => {
  it('keeps its activeAt and says by how much the clock stepped when it resolves; an entry that never alerted has no alert times to move', () => {
    const state = createEngineState(rulesFrom(`
    - alert: Down
      select: { measurement: interface }
      value: { field: oper_up }
      when: "= 0"
    `));
    const poll = (t: number, up: number, iface = 'xe-0/0/1') =>
      evaluate(state, [{ measurement: 'interface', tags: { target: 'r1', interface: iface }, fields: { oper_up: up }, time: t }], t).transitions;
    expect(poll(T0, 0).map((t) => t.to)).toEqual(['firing']);
    poll(T0, 1, 'xe-0/0/2');
    shiftTimes(state, 2 * HOUR);
    const [resolved] = poll(T0 + 2 * HOUR + MIN, 1);
    expect([resolved!.to, resolved!.activeAt, resolved!.clockShift]).toEqual(['resolved', T0, 2 * HOUR]);
    const quiet = [...state.series.values()][1]!.feeds[0]!.entries[0]!;
    expect([quiet.state, quiet.activeAt, quiet.clearSince, quiet.clockShift, quiet.lastSeen]).toEqual(['inactive', NaN, NaN, 0, T0 + 2 * HOUR]);
  });
});
