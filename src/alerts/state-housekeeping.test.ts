import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { FakeClock } from '../core/clock.js';
import { rulesFrom, T0 } from '../rules/testing.js';
import { SqliteStateStore } from './state/sqlite-state-store.js';
import { RecordingNotifier, tempDir, wireRuntime } from './testing.js';

const rules = rulesFrom(`
- alert: PortBusy
  select: { measurement: interface }
  value: { field: in_utilization }
  when: "> 0.8"
  severity: warning
`);

const HOUR = 3_600_000;
const port = (ifName: string, v: number, time: number) => ({ measurement: 'interface', tags: { target: 'r1', ifName }, fields: { in_utilization: v }, time });

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

/** The keeper over a real SQLite file whose batch and prune calls are counted (the store still does them). */
async function keeper(claimsMatterFor: number) {
  const t = tempDir();
  cleanups.push(t.cleanup);
  const clock = new FakeClock(T0);
  const store = new SqliteStateStore(join(t.dir, 'kpid.db'));
  const calls = { batches: 0, prunes: [] as { before: number; keep: readonly string[] }[] };
  const begin = store.beginBatch.bind(store);
  store.beginBatch = () => { calls.batches++; return begin(); };
  const prune = store.pruneNotifications.bind(store);
  store.pruneNotifications = (before, keep = []) => { calls.prunes.push({ before, keep }); return prune(before, keep); };
  const wired = wireRuntime(rules, { clock, store, notifier: new RecordingNotifier(), claimsMatterFor });
  await wired.start();
  const poll = async (values: Record<string, number>) => {
    wired.rules.write(Object.entries(values).map(([ifName, v]) => port(ifName, v, clock.now())));
    await wired.runtime.flush();
  };
  return { clock, store, calls, poll, wired };
}

describe('the state store stays small', () => {
  it('writes the transitions of one poll in one batch, however many alerts change', async () => {
    const k = await keeper(4 * HOUR);
    const before = k.calls.batches;
    await k.poll(Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`ge-0/0/${i}`, 0.9])));
    expect(k.wired.runtime.alerts()).toHaveLength(300);
    expect(k.calls.batches - before).toBe(1);
    await k.wired.stop();
  });

  it('prunes every hour the claims that can no longer matter: resolved and older than the longest repeat or escalation', async () => {
    const k = await keeper(4 * HOUR);
    await k.poll({ 'ge-0/0/1': 0.9, 'ge-0/0/2': 0.9 });
    await k.clock.advanceAsync(60_000, 1_000);
    await k.poll({ 'ge-0/0/1': 0.1, 'ge-0/0/2': 0.9 });
    const [stillFiring] = k.wired.runtime.alerts();
    // ge-0/0/1 resolved (firing and resolved claims), ge-0/0/2 still fires (one claim).
    await k.clock.advanceAsync(4 * HOUR + 2 * HOUR, 60_000);
    await k.wired.runtime.flush();
    const last = k.calls.prunes.at(-1)!;
    expect(k.calls.prunes.length).toBeGreaterThanOrEqual(6);
    expect(last.before).toBeGreaterThan(T0 + HOUR);
    expect(last.keep).toEqual([`alert:${stillFiring!.id}:`]);
    // What is left: the claim of the firing alert only.
    expect(await k.store.claimNotification(`alert:${stillFiring!.id}:${T0}:firing`, k.clock.now())).toBe(false);
    expect(await k.store.pruneNotifications(Infinity)).toBe(1);
    await k.wired.stop();
  });
});
