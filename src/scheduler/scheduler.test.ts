import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import { CollectorError } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import type { Sample } from '../core/sample.js';
import type { Target } from '../core/target.js';
import type { Collector } from '../core/collector.js';
import { defineMetrics } from '../metrics/definitions.js';
import { Scheduler } from './scheduler.js';

type Behaviour = (target: Target, signal: AbortSignal) => Promise<Sample[]>;

/** A collector whose behaviour per target the test scripts, recording when each poll started. */
class ScriptedCollector implements Collector {
  readonly kind = 'fake';
  readonly starts: Array<{ target: string; at: number }> = [];
  readonly forgotten: string[] = [];
  constructor(private readonly clock: FakeClock, private readonly behave: Behaviour) {}
  collect(target: Target, _spec: unknown, signal: AbortSignal): Promise<Sample[]> {
    this.starts.push({ target: target.name, at: this.clock.now() });
    return this.behave(target, signal);
  }
  forget(name: string): void {
    this.forgotten.push(name);
  }
}

const ok = (t: Target): Promise<Sample[]> =>
  Promise.resolve([{ measurement: 'probe', tags: { target: t.name, probe: 'p' }, fields: { success: 1 }, time: 0 }]);
const hangUntilAborted = (_t: Target, signal: AbortSignal): Promise<Sample[]> =>
  new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));

function target(name: string, interval = 10_000, timeout = 5_000): Target {
  return { name, site: 's', address: '127.0.0.1', labels: {}, interval, timeout, probes: [{ type: 'fake', name: 'p' }] };
}

function setup(behave: Behaviour, concurrency = 8) {
  const clock = new FakeClock(0);
  const collector = new ScriptedCollector(clock, behave);
  const registry = new Registry();
  const metrics = defineMetrics(registry);
  const published: Sample[] = [];
  const scheduler = new Scheduler({
    clock, concurrency, metrics, log: silentLogger(),
    collectors: new Map([['fake', collector]]),
    publish: (s) => published.push(...s),
    abortGraceMs: 100,
  });
  const value = async (name: string, labels: Record<string, string> = {}) =>
    (await registry.getSingleMetric(name)!.get()).values.find((v) =>
      Object.entries(labels).every(([k, val]) => v.labels[k] === val))?.value ?? 0;
  return { clock, collector, scheduler, published, value };
}

describe('scheduler', () => {
  it('runs each job once per interval, at a phase spread within the interval', async () => {
    const { clock, collector, scheduler } = setup(ok);
    scheduler.update(['a', 'b', 'c', 'd'].map((n) => target(n)));
    await clock.advanceAsync(30_000, 50);
    const byTarget: Record<string, Array<{ at: number }>> = {};
    for (const s of collector.starts) (byTarget[s.target] ??= []).push(s);
    for (const name of ['a', 'b', 'c', 'd']) {
      const times = byTarget[name]!.map((s) => s.at);
      expect(times).toHaveLength(3);
      expect(times[0]).toBeLessThan(10_000);
      expect(times[1]! - times[0]!).toBeCloseTo(10_000, -2);
    }
    const phases = new Set(['a', 'b', 'c', 'd'].map((n) => Math.round(byTarget[n]![0]!.at)));
    expect(phases.size).toBe(4);
    await scheduler.stop();
  });

  it('a poll past its timeout is aborted and counted as a timeout; later turns still run', async () => {
    const { clock, collector, scheduler, value } = setup(hangUntilAborted);
    scheduler.update([target('dead', 10_000, 2_000)]);
    await clock.advanceAsync(40_000, 50);
    const finished = collector.starts.filter((s) => s.at + 2_100 <= clock.now()).length;
    expect(finished).toBeGreaterThanOrEqual(3);
    expect(await value('kpid_collector_errors_total', { collector: 'fake', reason: 'timeout' })).toBe(finished);
    expect(await value('kpid_scheduler_skipped_polls_total')).toBe(0);
    await scheduler.stop();
  });

  it('a poll still running at its next turn skips that turn: overruns are counted, never stacked', async () => {
    // Ignores the abort: only the scheduler's grace period frees the job.
    const { clock, collector, scheduler, value } = setup(() => new Promise<Sample[]>(() => {}));
    // Timeout equal to the interval: each poll is still in its grace period at its next turn.
    scheduler.update([target('stuck', 1_000, 1_000)]);
    await clock.advanceAsync(10_000, 10);
    const starts = collector.starts.length;
    const skips = await value('kpid_scheduler_skipped_polls_total', { collector: 'fake' });
    expect(starts).toBeGreaterThanOrEqual(4);
    expect(starts).toBeLessThanOrEqual(5);
    expect(Math.abs(skips - starts)).toBeLessThanOrEqual(1);
    await scheduler.stop(10);
  });

  it('one dead target never delays the others beyond the concurrency cap', async () => {
    const { clock, collector, scheduler } = setup(
      (t, signal) => (t.name === 'dead' ? hangUntilAborted(t, signal) : ok(t)),
      2,
    );
    scheduler.update([target('dead', 10_000, 9_000), target('b'), target('c')]);
    await clock.advanceAsync(20_000, 20);
    const polls = (n: string) => collector.starts.filter((s) => s.target === n).length;
    expect(polls('b')).toBe(2);
    expect(polls('c')).toBe(2);
    await scheduler.stop();
  });

  it('publishes target up 1 when the poll answered and 0 when it did not', async () => {
    const { clock, scheduler, published } = setup((t, signal) =>
      t.name === 'down'
        ? Promise.reject(new CollectorError('fake', 'refused', 'nope'))
        : ok(t));
    scheduler.update([target('up'), target('down')]);
    await clock.advanceAsync(10_000, 50);
    const up = (n: string) => published.filter((s) => s.measurement === 'target' && s.tags.target === n).map((s) => s.fields.up);
    expect(up('up')).toEqual([1]);
    expect(up('down')).toEqual([0]);
    await scheduler.stop();
  });

  it('a target removed from config stops being polled and its sessions are released', async () => {
    const { clock, collector, scheduler } = setup(ok);
    scheduler.update([target('a'), target('b')]);
    await clock.advanceAsync(10_000, 50);
    const { removedTargets } = scheduler.update([target('a')]);
    expect(removedTargets).toEqual(['b']);
    expect(collector.forgotten).toEqual(['b']);
    const before = collector.starts.filter((s) => s.target === 'b').length;
    await clock.advanceAsync(30_000, 50);
    expect(collector.starts.filter((s) => s.target === 'b').length).toBe(before);
    expect(collector.starts.filter((s) => s.target === 'a').length).toBe(4);
    await scheduler.stop();
  });

  it('stop aborts in-flight polls and returns', async () => {
    let aborted = false;
    const { clock, scheduler } = setup((_t, signal) =>
      new Promise((_, reject) => signal.addEventListener('abort', () => { aborted = true; reject(signal.reason); })));
    scheduler.update([target('a', 10_000, 9_000)]);
    await clock.advanceAsync(10_000, 50);
    await scheduler.stop(1_000);
    expect(aborted).toBe(true);
  });

  // issue 14 §9: turns keep monotonic time. Before, a step back of 1 h stalled
  // polling for an hour, and a step forward of 2 h counted 720 skipped polls.
  it.each([
    { jump: -3_600_000, name: 'back 1 h' },
    { jump: 7_200_000, name: 'forward 2 h' },
  ])('a wall clock jump $name neither stalls polling nor counts skipped turns', async ({ jump }) => {
    const { clock, collector, scheduler, value } = setup(ok);
    scheduler.update([target('a')]);
    await clock.advanceAsync(30_000, 50);
    const before = collector.starts.length;
    clock.jump(jump);
    await clock.advanceAsync(60_000, 50);
    expect(collector.starts.length - before).toBe(6);
    expect(await value('kpid_scheduler_skipped_polls_total')).toBe(0);
    await scheduler.stop();
  });
});
