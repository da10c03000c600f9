import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import { occurrence, SilenceBook, silenceState } from './silence-book.js';
import type { Silence } from './state/state-store.js';

const T0 = Date.UTC(2026, 0, 4, 2, 0); // Sunday 2026-01-04 02:00 UTC
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

const dc1 = { alertname: 'LinkDown', site: 'dc1', target: 'edge-1', interface: 'ge-0/0/1' };
const dc2 = { alertname: 'LinkDown', site: 'dc2', target: 'edge-9', interface: 'ge-0/0/1' };

function silence(over: Partial<Silence> & Pick<Silence, 'id'>): Silence {
  return { matchers: { site: 'dc1' }, startsAt: T0, endsAt: T0 + 2 * HOUR, createdBy: 'test', ...over };
}

describe('SilenceBook: which alerts are muted and which outages are planned, over time', () => {
  // Each row: the book's contents, then checks at offsets from T0 driven by a FakeClock.
  const cases: Array<{
    name: string;
    api?: Silence[];
    config?: Silence[];
    checks: Array<{ at: number; labels: Record<string, string>; silenced: boolean; planned: boolean }>;
  }> = [
    {
      name: 'a one-off API silence mutes matching alerts during [startsAt, endsAt) only, and plans nothing',
      api: [silence({ id: 's1' })],
      checks: [
        { at: -1, labels: dc1, silenced: false, planned: false },
        { at: 0, labels: dc1, silenced: true, planned: false },
        { at: 2 * HOUR - 1, labels: dc1, silenced: true, planned: false },
        { at: 2 * HOUR, labels: dc1, silenced: false, planned: false },
        { at: HOUR, labels: dc2, silenced: false, planned: false },
      ],
    },
    {
      name: 'every matcher must be equal: a silence on site and alertname spares other rules at that site',
      api: [silence({ id: 's1', matchers: { site: 'dc1', alertname: 'DeviceUnreachable' } })],
      checks: [
        { at: HOUR, labels: dc1, silenced: false, planned: false },
        { at: HOUR, labels: { ...dc1, alertname: 'DeviceUnreachable' }, silenced: true, planned: false },
      ],
    },
    {
      name: 'a silence without matchers matches nothing (it would mute the whole network)',
      api: [silence({ id: 's1', matchers: {} })],
      checks: [{ at: HOUR, labels: dc1, silenced: false, planned: false }],
    },
    {
      name: 'an API silence with maintenance: true also makes outages planned',
      api: [silence({ id: 's1', maintenance: true })],
      checks: [
        { at: HOUR, labels: dc1, silenced: true, planned: true },
        { at: 3 * HOUR, labels: dc1, silenced: false, planned: false },
      ],
    },
    {
      name: 'a weekly config window is open 02:00–04:00 every Sunday, and planned',
      config: [silence({ id: 'config:bj-weekly', every: WEEK })],
      checks: [
        { at: -MIN, labels: dc1, silenced: false, planned: false },
        { at: HOUR, labels: dc1, silenced: true, planned: true },
        { at: 2 * HOUR, labels: dc1, silenced: false, planned: false },
        { at: DAY + HOUR, labels: dc1, silenced: false, planned: false },
        { at: WEEK - 1, labels: dc1, silenced: false, planned: false },
        { at: WEEK, labels: dc1, silenced: true, planned: true },
        { at: 52 * WEEK + HOUR + 59 * MIN, labels: dc1, silenced: true, planned: true },
        { at: 52 * WEEK + 2 * HOUR, labels: dc1, silenced: false, planned: false },
        { at: WEEK + HOUR, labels: dc2, silenced: false, planned: false },
      ],
    },
    {
      name: 'a recurring window stops at until: no occurrence starts at or after it',
      config: [silence({ id: 'config:w', every: DAY, until: T0 + 2 * DAY })],
      checks: [
        { at: HOUR, labels: dc1, silenced: true, planned: true },
        { at: DAY + HOUR, labels: dc1, silenced: true, planned: true },
        { at: 2 * DAY + HOUR, labels: dc1, silenced: false, planned: false },
        { at: 30 * DAY + HOUR, labels: dc1, silenced: false, planned: false },
      ],
    },
    {
      name: 'a window as long as its period never closes once open (back-to-back occurrences)',
      config: [silence({ id: 'config:w', endsAt: T0 + DAY, every: DAY })],
      checks: [
        { at: DAY - 1, labels: dc1, silenced: true, planned: true },
        { at: DAY, labels: dc1, silenced: true, planned: true },
        { at: 10 * DAY + 5 * HOUR, labels: dc1, silenced: true, planned: true },
      ],
    },
    {
      name: 'a plain silence over a maintenance window: muted throughout, planned only while the window is open',
      api: [silence({ id: 's1', endsAt: T0 + 4 * HOUR })],
      config: [silence({ id: 'config:w', startsAt: T0 + HOUR, endsAt: T0 + 2 * HOUR })],
      checks: [
        { at: 30 * MIN, labels: dc1, silenced: true, planned: false },
        { at: 90 * MIN, labels: dc1, silenced: true, planned: true },
        { at: 3 * HOUR, labels: dc1, silenced: true, planned: false },
      ],
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const clock = new FakeClock(T0);
      const book = new SilenceBook();
      for (const s of c.api ?? []) book.put(s);
      book.replaceMaintenance(c.config ?? []);
      const checks = [...c.checks].sort((a, b) => a.at - b.at);
      // Time only moves forward, as it does in the daemon; offsets before T0 are judged without moving.
      const got = checks.map((k) => {
        if (k.at >= 0) clock.advance(T0 + k.at - clock.now());
        const at = k.at >= 0 ? clock.now() : T0 + k.at;
        return { at: k.at, labels: k.labels, silenced: book.isSilenced(k.labels, at), planned: book.isPlanned(k.labels, at) };
      });
      expect(got).toEqual(checks);
    });
  }
});

describe('silence occurrences and states', () => {
  const weekly = silence({ id: 'w', every: WEEK, until: T0 + 3 * WEEK });
  const table: Array<[string, Silence, number, ReturnType<typeof occurrence>, ReturnType<typeof silenceState>]> = [
    ['one-off, before it starts: pending, the only occurrence', silence({ id: 'o' }), -HOUR, { startsAt: T0, endsAt: T0 + 2 * HOUR }, 'pending'],
    ['one-off, after it ends: expired', silence({ id: 'o' }), 2 * HOUR, undefined, 'expired'],
    ['weekly, between occurrences: pending, the next one', weekly, DAY, { startsAt: T0 + WEEK, endsAt: T0 + WEEK + 2 * HOUR }, 'pending'],
    ['weekly, inside the second occurrence: active', weekly, WEEK + HOUR, { startsAt: T0 + WEEK, endsAt: T0 + WEEK + 2 * HOUR }, 'active'],
    ['weekly, after the last occurrence before until: expired', weekly, 2 * WEEK + 3 * HOUR, undefined, 'expired'],
  ];
  it.each(table)('%s', (_name, s, offset, expected, state) => {
    expect(occurrence(s, T0 + offset)).toEqual(expected);
    expect(silenceState(s, T0 + offset)).toBe(state);
  });

  it('a reload replaces the config windows and keeps the API silences', () => {
    const book = new SilenceBook();
    book.put(silence({ id: 'api-1', matchers: { site: 'dc2' } }));
    book.replaceMaintenance([silence({ id: 'config:a' })]);
    book.replaceMaintenance([silence({ id: 'config:b', matchers: { target: 'edge-9' } })]);
    expect(book.list().map((s) => [s.id, s.source])).toEqual([['config:b', 'config'], ['api-1', 'api']]);
    expect(book.isPlanned(dc1, T0 + HOUR)).toBe(false);
    expect(book.isPlanned(dc2, T0 + HOUR)).toBe(true);
  });
});
