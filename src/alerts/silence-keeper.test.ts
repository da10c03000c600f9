import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { FakeClock } from '../core/clock.js';
import { SilenceKeeper } from './silence-keeper.js';
import { SqliteStateStore } from './state/sqlite-state-store.js';

const T0 = Date.UTC(2026, 0, 4, 2, 0);
const HOUR = 3_600_000;
const dirs: string[] = [];
const dbFile = () => {
  const d = mkdtempSync(join(tmpdir(), 'kpid-silences-'));
  dirs.push(d);
  return join(d, 'kpid.db');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('SilenceKeeper: API silences kept in the state store, maintenance windows from config', () => {
  it('an API silence survives a restart (a new keeper on the same SQLite file) and its deletion does too', async () => {
    const file = dbFile();
    const clock = new FakeClock(T0);
    const first = new SilenceKeeper(clock);
    let store = new SqliteStateStore(file);
    await first.attach(store);
    const kept = await first.create({ matchers: { site: 'dc1' }, startsAt: T0, endsAt: T0 + 2 * HOUR, createdBy: 'alice', comment: 'fibre repair' });
    const gone = await first.create({ matchers: { site: 'dc2' }, startsAt: T0, endsAt: T0 + 2 * HOUR, createdBy: 'bob' });
    expect(await first.remove(gone.id)).toBe('deleted');
    await store.close();

    store = new SqliteStateStore(file);
    const second = new SilenceKeeper(clock);
    await second.attach(store);
    expect(second.list().map((s) => [s.id, s.createdBy, s.comment, s.state])).toEqual([[kept.id, 'alice', 'fibre repair', 'active']]);
    expect(second.isSilenced({ site: 'dc1' })).toBe(true);
    expect(second.isSilenced({ site: 'dc2' })).toBe(false);
    expect(await second.remove(gone.id)).toBe('unknown');
    await store.close();
  });

  it('silences expired for more than 7 days are forgotten at start; recent ones are listed as expired', async () => {
    const file = dbFile();
    const clock = new FakeClock(T0);
    const a = new SilenceKeeper(clock);
    const store = new SqliteStateStore(file);
    await a.attach(store);
    const old = await a.create({ matchers: { site: 'dc1' }, startsAt: T0, endsAt: T0 + HOUR, createdBy: 'x' });
    clock.advance(3 * 24 * HOUR);
    const recent = await a.create({ matchers: { site: 'dc1' }, startsAt: clock.now(), endsAt: clock.now() + HOUR, createdBy: 'x' });
    clock.advance(5 * 24 * HOUR);
    const b = new SilenceKeeper(clock);
    await b.attach(store);
    expect(b.list().map((s) => [s.id, s.state])).toEqual([[recent.id, 'expired']]);
    expect((await store.listSilences()).map((s) => s.id)).toEqual([recent.id]);
    expect(old.id).not.toBe(recent.id);
    await store.close();
  });

  it('config maintenance windows are replaced on reload, cannot be deleted through the API, and are never stored', async () => {
    const clock = new FakeClock(T0 + HOUR);
    const s = new SilenceKeeper(clock);
    const store = new SqliteStateStore(':memory:');
    await s.attach(store);
    const cfg = (text: string) => parseConfig('kpid.yaml', `${text}allow_empty_targets: true\n`, {}).maintenance;
    s.setMaintenance(cfg('maintenance:\n  - { name: bj, match: { site: beijing-dc1 }, from: "2026-01-04T10:00:00+08:00", duration: 2h, every: 1w }\n'));
    expect(s.isPlanned({ site: 'beijing-dc1' }, clock.now())).toBe(true);
    expect(s.isSilenced({ site: 'beijing-dc1' })).toBe(true);
    expect(s.list()).toMatchObject([{ id: 'config:bj', source: 'config', state: 'active', every: '7d', maintenance: true,
      current: { startsAt: '2026-01-04T02:00:00.000Z', endsAt: '2026-01-04T04:00:00.000Z' } }]);
    expect(await s.remove('config:bj')).toBe('config');
    s.setMaintenance(cfg('maintenance:\n  - { match: { site: shanghai }, from: "2026-01-04T02:00:00Z", to: "2026-01-04T04:00:00Z" }\n'));
    expect(s.isPlanned({ site: 'beijing-dc1' }, clock.now())).toBe(false);
    expect(s.isPlanned({ site: 'shanghai' }, clock.now())).toBe(true);
    expect(s.list().map((x) => x.id)).toEqual(['config:maintenance.0']);
    expect(await store.listSilences()).toEqual([]);
    await store.close();
  });

  it('a silence created through another member of a cluster (same store) mutes here within 15 s, and its deletion too', async () => {
    const clock = new FakeClock(T0);
    const store = new SqliteStateStore(':memory:');
    const here = new SilenceKeeper(clock);
    const there = new SilenceKeeper(clock);
    await here.attach(store);
    await there.attach(store);
    const s = await there.create({ matchers: { site: 'dc1' }, startsAt: T0, endsAt: T0 + 2 * HOUR, createdBy: 'carol' });
    expect(here.isSilenced({ site: 'dc1' })).toBe(false);
    await clock.advanceAsync(15_000, 1_000);
    expect(here.isSilenced({ site: 'dc1' })).toBe(true);
    await there.remove(s.id);
    await clock.advanceAsync(15_000, 1_000);
    expect(here.isSilenced({ site: 'dc1' })).toBe(false);
    here.stop();
    there.stop();
    expect(clock.pending).toBe(0);
    await store.close();
  });

  it('a re-read of the store racing a create never loses the new silence', async () => {
    const clock = new FakeClock(T0);
    const store = new SqliteStateStore(':memory:');
    // A networked store answers a moment after it read: the snapshot predates the create.
    const slow = Object.assign(Object.create(store) as SqliteStateStore, {
      listSilences: async () => {
        const snapshot = await store.listSilences();
        await new Promise((r) => setImmediate(r));
        return snapshot;
      },
    });
    const s = new SilenceKeeper(clock);
    await s.attach(slow);
    const [, created] = await Promise.all([s.refresh(), s.create({ matchers: { site: 'dc1' }, startsAt: T0, endsAt: T0 + HOUR, createdBy: 'a' })]);
    expect(s.list().map((x) => x.id)).toEqual([created.id]);
    s.stop();
    await store.close();
  });

  it('creating a silence before the store is open is refused with a code, not half-done', async () => {
    const s = new SilenceKeeper(new FakeClock(T0));
    await expect(s.create({ matchers: { site: 'x' }, startsAt: T0, endsAt: T0 + HOUR, createdBy: 'a' })).rejects.toMatchObject({ code: 'silences_not_ready' });
    expect(s.isSilenced({ site: 'x' })).toBe(false);
  });
});
