import { afterAll, describe, expect, it } from 'vitest';
import { RedisStateStore } from '../src/alerts/state/redis-state-store.js';
import { RecordingNotifier, voiceServiceDownRule, wireRuntime } from '../src/alerts/testing.js';
import { FakeClock } from '../src/core/clock.js';
import { rulesFrom, T0 } from '../src/rules/testing.js';
import { deletePrefix, SHARED_REDIS, uniquePrefix } from './helpers/redis.js';

// One service (voice at dc1) watched through two SBCs; in a cluster each SBC may be polled by another instance.
const rules = rulesFrom(voiceServiceDownRule('voice-{{ $labels.site }}', '[15m]'));
const probe = (target: string, success: number, time: number) => ({ measurement: 'probe', tags: { target, site: 'dc1', probe: 'sip' }, fields: { success }, time });

describe('issue 14 §7: two instances feeding one service from different targets', () => {
  const prefix = uniquePrefix('one-outage');
  const stops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const s of stops) await s();
    await deletePrefix(SHARED_REDIS, prefix);
  });

  async function instance(clock: FakeClock) {
    const store = new RedisStateStore(SHARED_REDIS, { prefix });
    const wired = wireRuntime(rules, { clock, store, notifier: new RecordingNotifier() });
    await wired.start();
    stops.push(async () => {
      await wired.stop();
      await store.close();
    });
    return { store, wired };
  }

  it('open exactly one outage, which both instances then carry, with both alerts', async () => {
    const clock = new FakeClock(T0);
    const [a, b] = [await instance(clock), await instance(clock)];
    // Both SBCs fail before either write reached Redis: each instance opens the service's outage in its own ledger.
    a.wired.rules.write([probe('sbc1', 0, T0)]);
    clock.advance(5_000);
    // Seconds apart, so each computes a different outage id (service, start).
    b.wired.rules.write([probe('sbc2', 0, T0 + 5_000)]);
    await Promise.all([a.wired.runtime.flush(), b.wired.runtime.flush()]);

    const open = (await a.store.openOutages()).filter((o) => o.service === 'voice-dc1');
    expect(open).toHaveLength(1);
    expect(open[0]!.alerts).toHaveLength(2);
    expect((await a.store.outagesBetween(T0 - 1, T0 + 60_000)).map((o) => o.id)).toEqual([open[0]!.id]);
    // Each instance's ledger holds that one outage, so SLA steps and the restore go to one outage.
    expect(a.wired.runtime.outages().map((o) => o.id)).toEqual([open[0]!.id]);
    expect(b.wired.runtime.outages().map((o) => o.id)).toEqual([open[0]!.id]);
  });
});
