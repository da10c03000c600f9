import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { FakeClock } from '../core/clock.js';
import { rulesFrom, MIN, T0 } from '../rules/testing.js';
import { SlaSweeper } from './sla-sweeper.js';
import { SqliteStateStore } from './state/sqlite-state-store.js';
import { RecordingNotifier, tempDir, voiceServiceDownRule, wireRuntime } from './testing.js';

const rules = rulesFrom(voiceServiceDownRule('voice-{{ $labels.site }}'));
const probe = (success: number, time: number) => ({ measurement: 'probe', tags: { target: 'sbc1', site: 'dc1', probe: 'sip' }, fields: { success }, time });

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

/** An alert keeper (the opener) and a second instance's sweeper over one state file, on one fake clock. */
async function twoInstances() {
  const t = tempDir('kpid-outbox-');
  cleanups.push(t.cleanup);
  const file = join(t.dir, 'data', 'kpid.db');
  const clock = new FakeClock(T0);
  const store = new SqliteStateStore(file);
  const otherStore = new SqliteStateStore(file);
  cleanups.push(() => store.close(), () => otherStore.close());
  const opener = new RecordingNotifier();
  const wired = wireRuntime(rules, { clock, store, notifier: opener, outboxAfter: 2 * MIN });
  await wired.start();
  cleanups.push(() => wired.stop());
  const survivor = new RecordingNotifier();
  const sweeper = new SlaSweeper({ store: otherStore, notifier: survivor, clock, every: 1_000 });
  return { clock, store, wired, opener, survivor, sweeper };
}

describe('the outbox: a firing message outlives the instance that stored it', () => {
  it('is stored with its alert, due after outboxAfter, and forgotten once notify has queued it', async () => {
    const x = await twoInstances();
    x.wired.rules.write([probe(0, T0)]);
    await x.wired.runtime.flush();
    const [firing] = x.opener.sent;
    expect(firing?.kind).toBe('firing');
    expect(await x.store.overdueOutbox(T0 + 2 * MIN)).toEqual([{ notification: firing, dueAt: T0 + 2 * MIN }]);
    expect(await x.store.overdueOutbox(T0 + 2 * MIN - 1)).toEqual([]);
    x.wired.runtime.handedOver([firing!.id]);
    await x.wired.runtime.flush();
    expect(await x.store.overdueOutbox(Infinity)).toEqual([]);
    // The opener lived: no other instance sends it again.
    x.clock.advance(5 * MIN);
    await x.sweeper.sweep();
    expect(x.survivor.sent.map((n) => n.kind)).toEqual([]);
  });

  it('when the opener never queued it, another instance delivers it once, after it fell due', async () => {
    const x = await twoInstances();
    x.wired.rules.write([probe(0, T0)]);
    await x.wired.runtime.flush();
    const firing = x.opener.sent[0]!;
    // The opener dies inside group_wait: notify never says it queued the message.
    x.clock.advance(2 * MIN - 1);
    await x.sweeper.sweep();
    expect(x.survivor.sent).toEqual([]);
    x.clock.advance(1);
    await x.sweeper.sweep();
    await x.sweeper.sweep();
    expect(x.survivor.sent).toEqual([firing]);
    expect(await x.store.overdueOutbox(Infinity)).toEqual([]);
  });

  it('a firing message whose alert resolved before it fell due is not delivered late', async () => {
    const x = await twoInstances();
    x.wired.rules.write([probe(0, T0)]);
    await x.wired.runtime.flush();
    const entry = (await x.store.overdueOutbox(Infinity))[0]!;
    x.wired.rules.write([probe(1, T0 + 30_000)]);
    await x.wired.runtime.flush();
    expect(x.opener.sent.map((n) => n.kind)).toEqual(['firing', 'resolved', 'sla_restored']);
    expect(await x.store.overdueOutbox(Infinity)).toEqual([]);
    // Even an entry left over (its writer died before forgetting it) is dropped, not sent.
    const unrelated = { fingerprint: 'unrelated', rule: 'X', series: 'x', state: 'firing', severity: 'info', labels: {}, annotations: {}, value: 0, activeAt: T0, crossedAt: T0 } as const;
    await x.store.putAlert(unrelated, entry);
    x.clock.advance(5 * MIN);
    await x.sweeper.sweep();
    expect(x.survivor.sent).toEqual([]);
    expect(await x.store.overdueOutbox(Infinity)).toEqual([]);
  });
});
