import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { RedisStateStore } from '../src/alerts/state/redis-state-store.js';
import { SqliteStateStore } from '../src/alerts/state/sqlite-state-store.js';
import type { UnreadableSilence } from '../src/alerts/state/stored-silence.js';
import { startKpid, type KpidProcess } from './helpers/kpid-process.js';
import { deletePrefix, SHARED_REDIS, uniquePrefix } from './helpers/redis.js';

const TOKEN = 'hardening-silences-0123456789';
const DAY = 86_400_000;

type ErrorBody = { error: { code: string; message: string; details: { fields: string[] } } };
type ListBody = { silences: Array<{ id: string; endsAt: string }>; unreadable: Array<{ id: string; reason: string }> };

/**
 * Issue 14 §2: `duration: "999999999999999h"` used to answer 500, store the
 * silence anyway, and break every later GET of silences, across restarts.
 * Against a real daemon and its real SQLite state file.
 */
describe('a silence with a huge duration is refused, and a stored silence that cannot be read never breaks the list', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'kpid-silence-hardening-'));
  const db = join(stateDir, 'kpid.db');
  const config = (extra = '') => `
server: { listen: "127.0.0.1:0", api_token: "\${KPID_API_TOKEN}" }
state: { sqlite: "${db}" }
allow_empty_targets: true
${extra}
`;
  let kpid: KpidProcess;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${kpid.url}${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } });
  const post = (body: unknown) => api('/api/v1/silences', { method: 'POST', body: JSON.stringify(body) });
  const list = async () => {
    const res = await api('/api/v1/silences');
    return { status: res.status, body: (await res.json()) as ListBody };
  };
  afterAll(async () => {
    await kpid?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('the original attack: POST duration 999999999999999h is a 400 naming duration; nothing is stored; GET works before and after a restart', async () => {
    kpid = await startKpid(config(), { KPID_API_TOKEN: TOKEN });
    const res = await post({ matchers: { site: 'dc1' }, duration: '999999999999999h' });
    const body = (await res.json()) as ErrorBody;
    expect({ status: res.status, code: body.error.code, fields: body.error.details.fields }).toEqual({ status: 400, code: 'bad_field', fields: ['duration'] });
    expect(body.error.message).toMatch(/^duration: .*at most 365d from now \(silences\.max_ahead\)/);
    expect(await list()).toEqual({ status: 200, body: { silences: [], unreadable: [] } });
    expect(await kpid.stop()).toBe(0);
    kpid = await startKpid(config(), { KPID_API_TOKEN: TOKEN });
    expect(await list()).toEqual({ status: 200, body: { silences: [], unreadable: [] } });
  });

  it('each way of setting an end beyond the maximum is a 400 naming its field; just inside the maximum is created', async () => {
    const far = new Date(Date.now() + 400 * DAY).toISOString();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ duration: '9000h' }, 'duration'],
      [{ endsAt: far }, 'endsAt'],
      [{ endsAt: '9999-12-31T23:59:59Z' }, 'endsAt'],
      [{ startsAt: far, duration: '1h' }, 'duration'],
      [{ duration: '1h', every: '1w', until: far }, 'until'],
      [{ duration: '1h', every: '999999999999999h' }, 'every'],
    ];
    for (const [timing, field] of cases) {
      const res = await post({ matchers: { site: 'dc1' }, ...timing });
      const body = (await res.json()) as ErrorBody;
      expect({ timing, status: res.status, fields: body.error.details.fields }).toEqual({ timing, status: 400, fields: [field] });
    }
    expect((await list()).body.silences).toEqual([]);
    expect((await post({ matchers: { site: 'dc1' }, duration: '364d' })).status).toBe(201);
  });

  it('config silences.max_ahead sets the maximum', async () => {
    await kpid.stop();
    kpid = await startKpid(config('silences: { max_ahead: 2d }'), { KPID_API_TOKEN: TOKEN });
    const refused = await post({ matchers: { site: 'dc2' }, duration: '3d' });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as ErrorBody).error.message).toMatch(/at most 2d from now/);
    expect((await post({ matchers: { site: 'dc2' }, duration: '47h' })).status).toBe(201);
  });

  it('corrupt rows written straight into the SQLite state file are skipped, logged, counted and listed; the good silences still list, and the bad one can be deleted', async () => {
    const before = (await list()).body.silences.map((s) => s.id).sort();
    expect(before).toHaveLength(2);
    await kpid.stop();
    const sqlite = new Database(db);
    const put = sqlite.prepare('INSERT INTO silences (id, body) VALUES (?, ?)');
    // What the old daemon stored for the attack: an end a JavaScript Date cannot hold.
    put.run('huge-end', JSON.stringify({ id: 'huge-end', matchers: { site: 'x' }, startsAt: Date.now(), endsAt: 3.6e21, createdBy: 'api' }));
    put.run('not-json', '{"id": "not-json", "matchers":');
    put.run('no-matchers', JSON.stringify({ id: 'no-matchers', startsAt: 0, endsAt: 1, createdBy: 'api' }));
    sqlite.close();

    kpid = await startKpid(config(), { KPID_API_TOKEN: TOKEN });
    const { status, body } = await list();
    expect(status).toBe(200);
    expect(body.silences.map((s) => s.id).sort()).toEqual(before);
    expect(body.unreadable.map((u) => u.id)).toEqual(['huge-end', 'no-matchers', 'not-json']);
    expect(body.unreadable.find((u) => u.id === 'huge-end')!.reason).toMatch(/^endsAt: /);
    expect(body.unreadable.find((u) => u.id === 'not-json')!.reason).toMatch(/^not JSON/);
    expect(await kpid.metrics()).toMatch(/^kpid_silences_unreadable 3$/m);
    const logged = kpid.logs.filter((l) => l.msg === 'a stored silence cannot be read; it is skipped (delete it with DELETE /api/v1/silences/:id)').map((l) => l.silence);
    expect(logged.sort()).toEqual(['huge-end', 'no-matchers', 'not-json']);

    expect((await api('/api/v1/silences/huge-end', { method: 'DELETE' })).status).toBe(200);
    expect((await list()).body.unreadable.map((u) => u.id)).toEqual(['no-matchers', 'not-json']);
    expect(await kpid.metrics()).toMatch(/^kpid_silences_unreadable 2$/m);
  });
});

describe('both state stores skip a stored silence they cannot read and say which', () => {
  const good = { id: 'good', matchers: { site: 'dc1' }, startsAt: 1_000, endsAt: 2_000, createdBy: 'api' };
  const bad: Array<[string, string]> = [
    ['huge-end', JSON.stringify({ ...good, id: 'huge-end', endsAt: 3.6e21 })],
    ['not-json', '{"id":'],
    ['matchers-not-strings', JSON.stringify({ ...good, id: 'matchers-not-strings', matchers: { site: 5 } })],
  ];
  const expectSkipped = (listed: unknown[], seen: UnreadableSilence[]) => {
    expect(listed).toEqual([good]);
    expect(seen.map((b) => b.id)).toEqual(['huge-end', 'matchers-not-strings', 'not-json']);
  };

  it('SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kpid-silence-store-'));
    const store = new SqliteStateStore(join(dir, 'kpid.db'));
    try {
      await store.putSilence(good);
      const db = new Database(join(dir, 'kpid.db'));
      for (const [id, body] of bad) db.prepare('INSERT INTO silences (id, body) VALUES (?, ?)').run(id, body);
      db.close();
      const seen: UnreadableSilence[] = [];
      expectSkipped(await store.listSilences((b) => seen.push(b)), seen);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Redis', async () => {
    const prefix = uniquePrefix('silences');
    const store = new RedisStateStore(SHARED_REDIS, { prefix });
    const raw = new Redis(SHARED_REDIS);
    try {
      await store.putSilence(good);
      for (const [id, body] of bad) await raw.hset(`${prefix}silences`, id, body);
      const seen: UnreadableSilence[] = [];
      expectSkipped(await store.listSilences((b) => seen.push(b)), seen);
    } finally {
      raw.disconnect();
      await store.close();
      await deletePrefix(SHARED_REDIS, prefix);
    }
  });
});
