import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { rulesFrom, MIN, T0 } from '../rules/testing.js';
import { FakeClock } from '../core/clock.js';
import { SlaSweeper } from './sla-sweeper.js';
import { SqliteStateStore } from './state/sqlite-state-store.js';
import { RecordingNotifier, startRuntime, tempDir, voiceServiceDownRule } from './testing.js';

// issue 14 §9: the wall clock jumps while an outage is open. The SLA clock,
// the API and the messages follow real (monotonic) elapsed time (docs/time.md).
const rules = rulesFrom(voiceServiceDownRule('voice'));
const HOUR = 60 * MIN;
const probe = (success: number, time: number) => ({ measurement: 'probe', tags: { target: 'sbc1', probe: 'sip' }, fields: { success }, time });

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

function dbFile(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return join(t.dir, 'kpid.db');
}

/** Real minutes at which each message went out, in order. */
type Timeline = Array<[minute: number, kind: string]>;
const EVERY_STEP: Timeline = [[0, 'firing'], [15, 'sla_warning'], [25, 'sla_warning'], [30, 'sla_breach'], [40, 'resolved'], [40, 'sla_restored']];

describe('an open outage across a wall clock jump', () => {
  it.each([
    { jump: 2 * HOUR, atMinute: 5, name: 'forward 2 h before the first warning' },
    { jump: -HOUR, atMinute: 5, name: 'back 1 h before the first warning' },
    { jump: 2 * HOUR, atMinute: 20, name: 'forward 2 h between the warnings' },
    { jump: -HOUR, atMinute: 27, name: 'back 1 h just before the breach' },
    { jump: -3 * HOUR, atMinute: 35, name: 'back 3 h after the breach (to before the start)' },
    { jump: 0, atMinute: 5, name: 'no jump' },
  ])('$name: every SLA step once, at its real time; real duration and time left', async ({ jump, atMinute }) => {
    const r = await startRuntime(rules, dbFile(), T0);
    const timeline: Timeline = [];
    let seen = 0;
    const note = (minute: number) => {
      for (const n of r.notifier.sent.slice(seen)) timeline.push([minute, n.kind]);
      seen = r.notifier.sent.length;
    };
    r.rules.write([probe(0, r.clock.now())]);
    await r.runtime.flush();
    note(0);
    for (let minute = 1; minute <= 40; minute++) {
      await r.advance(MIN);
      if (minute === atMinute) r.clock.jump(jump);
      // The probe stamps its samples with the (jumped) wall clock.
      r.rules.write([probe(minute === 40 ? 1 : 0, r.clock.now())]);
      await r.runtime.flush();
      note(minute);
      const [o] = r.runtime.outages();
      if (minute < 40) {
        // What GET /api/v1/outages shows: the real time down, and the real time left.
        expect(o, `minute ${minute}`).toMatchObject({ state: 'open', durationSeconds: minute * 60, sla: { remainingSeconds: (30 - minute) * 60 } });
      }
    }
    expect(timeline).toEqual(EVERY_STEP);
    const [restored] = r.runtime.outages();
    expect(restored).toMatchObject({ state: 'restored', durationSeconds: 40 * 60, sla: { breached: true, met: false, remainingSeconds: -600 } });
    expect(r.notifier.sent.at(-1)!.summary).toMatch(/^voice restored after 40m/);
    // The alert's own resolved message says it was down 40 minutes too.
    const resolved = r.notifier.sent.find((n) => n.kind === 'resolved')!;
    expect(resolved.endsAt! - resolved.startsAt).toBe(40 * MIN);
    // The stored record says the same: no "restored after 0 s", no lost downtime.
    const [stored] = await r.store.outagesBetween(T0 - 4 * HOUR, T0 + 4 * HOUR);
    expect(stored!.restoredAt! - stored!.startedAt).toBe(40 * MIN);
    // Nothing more goes out later, whatever the wall clock says now.
    await r.advance(2 * HOUR);
    expect(r.notifier.sent).toHaveLength(EVERY_STEP.length);
    await r.stop();
    await r.store.close();
  });

  it('an acknowledgement after a backward jump is never before the start', async () => {
    const r = await startRuntime(rules, dbFile(), T0);
    r.rules.write([probe(0, r.clock.now())]);
    await r.advance(5 * MIN);
    r.clock.jump(-HOUR);
    await r.advance(5 * MIN);
    const [o] = r.runtime.outages();
    expect(await r.runtime.acknowledge(o!.id, 'noc')).toBe(true);
    const acked = r.runtime.outages()[0]!.acknowledged!;
    expect(Date.parse(acked.at!) - T0).toBe(10 * MIN);
    await r.stop();
    await r.store.close();
  });
});

describe("the cluster's SLA sweeper across a wall clock jump", () => {
  it.each([
    { jump: 2 * HOUR, name: 'forward 2 h' },
    { jump: -HOUR, name: 'back 1 h' },
  ])('$name at minute 5: warnings at 15 and 25, the breach at 30 real minutes, once each', async ({ jump }) => {
    const clock = new FakeClock(T0);
    const store = new SqliteStateStore(dbFile());
    await store.putOutage({
      id: 'o-1', service: 'voice', labels: {}, alerts: ['a1'], startedAt: T0, detectedAt: T0, planned: false,
      recoveryTarget: 30 * MIN, warnAt: [15 * MIN, 25 * MIN], warningsSent: [], breached: false,
    });
    const notifier = new RecordingNotifier();
    const sweeper = new SlaSweeper({ store, notifier, clock, every: MIN });
    const sent: Array<[number, string]> = [];
    sweeper.start();
    for (let minute = 1; minute <= 60; minute++) {
      if (minute === 5) clock.jump(jump);
      await clock.advanceAsync(MIN, MIN);
      for (const n of notifier.sent.splice(0)) sent.push([minute, n.kind]);
    }
    await sweeper.stop();
    await store.close();
    expect(sent).toEqual([[15, 'sla_warning'], [25, 'sla_warning'], [30, 'sla_breach']]);
  });
});
