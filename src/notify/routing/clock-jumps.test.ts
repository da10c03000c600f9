import { describe, expect, it } from 'vitest';
import type { Notification } from '../../core/alert.js';
import { FakeClock } from '../../core/clock.js';
import type { AlertBatch } from '../batch.js';
import { AggregationGroup, type GroupFlush } from './aggregation-group.js';
import { StormGate } from './storm-gate.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const page = (fingerprint: string, at: number): Notification => ({
  id: `alert:${fingerprint}:${at}:firing`, kind: 'firing', fingerprint, severity: 'critical',
  labels: {}, annotations: {}, summary: fingerprint, startsAt: at, crossedAt: at,
});

// issue 14 §9: group_wait, group_interval, repeat and the SMS storm window are real time.
describe('an aggregation group across a wall clock jump', () => {
  it.each([
    { jump: -HOUR, name: 'back 1 h' },
    { jump: 2 * HOUR, name: 'forward 2 h' },
  ])('$name: the next change still goes out after group_interval, and the repeat after repeat', ({ jump }) => {
    const clock = new FakeClock();
    const flushes: Array<[number, number]> = [];
    const group = new AggregationGroup(clock, { groupWait: 10_000, groupInterval: MIN, repeat: HOUR }, (f: GroupFlush) => {
      flushes.push([clock.monotonic(), f.repeat]);
    });
    group.insert(page('a', clock.now()));
    clock.advance(10_000);
    clock.jump(jump);
    group.insert(page('b', clock.now()));
    clock.advance(2 * HOUR);
    // First after group_wait; b one group_interval later; then one unchanged repeat an hour after that.
    expect(flushes).toEqual([[10_000, 0], [70_000, 0], [70_000 + HOUR, 1]]);
    group.cancel();
  });
});

describe('the SMS storm gate across a wall clock jump', () => {
  it.each([
    { jump: -HOUR, name: 'back 1 h' },
    { jump: 2 * HOUR, name: 'forward 2 h' },
  ])('$name: a phone that got its quota gets single messages again one window later, not sooner or later', ({ jump }) => {
    const clock = new FakeClock();
    const gate = new StormGate(clock, { window: 10 * MIN, maxMessages: 2 }, () => {});
    const batch = {} as AlertBatch;
    expect([gate.admit('sms', '+1', batch), gate.admit('sms', '+1', batch)]).toEqual([true, true]);
    clock.jump(jump);
    clock.advance(5 * MIN);
    expect(gate.admit('sms', '+1', batch), 'still within the window').toBe(false);
    clock.advance(10 * MIN);
    expect(gate.admit('sms', '+1', batch), 'the window has passed').toBe(true);
    gate.close();
  });
});
