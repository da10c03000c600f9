import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Outage, StateStore, StoredAlert } from '../../src/alerts/state/state-store.js';
import type { AlertTransition } from '../../src/core/alert.js';
import { FakeClock } from '../../src/core/clock.js';
import { loadRuleFiles } from '../../src/rules/rule-files.js';
import { RuleRunner } from '../../src/rules/rule-runner.js';
import { HOUR, WEEK } from '../../src/rules/testing.js';

/**
 * What every StateStore must do, whatever it is built on. A Redis store runs
 * this same suite: `describeStateStoreContract('redis', factory)`.
 * `open()` returns a new connection to the same storage each time, so the
 * suite can check what survives a reconnect.
 */
export interface StoreHarness {
  open(): Promise<StateStore>;
  cleanup(): Promise<void>;
}

const T = Date.UTC(2026, 2, 1);

export function alertFixture(over: Partial<StoredAlert> = {}): StoredAlert {
  return {
    fingerprint: 'fp1', rule: 'LinkDown', series: 'interface,interface=ge-0/0/1,target=r1', state: 'firing',
    severity: 'critical', labels: { alertname: 'LinkDown', target: 'r1' }, annotations: { summary: 'down' },
    value: 0, threshold: 1, activeAt: T, crossedAt: T, firedAt: T, ...over,
  };
}

export function outageFixture(over: Partial<Outage> = {}): Outage {
  return {
    id: 'o-1', service: 'voice-dc1', labels: { service: 'voice-dc1' }, alerts: ['fp1'], startedAt: T, detectedAt: T + 1000,
    planned: false, recoveryTarget: 1_800_000, warnAt: [900_000, 1_500_000], warningsSent: [], breached: false, ...over,
  };
}

export function describeStateStoreContract(name: string, makeHarness: () => Promise<StoreHarness>): void {
  describe(`StateStore contract: ${name}`, () => {
    let h: StoreHarness;
    let store: StateStore;
    const opened: StateStore[] = [];
    const reopen = async () => {
      const s = await h.open();
      opened.push(s);
      return s;
    };

    beforeEach(async () => {
      h = await makeHarness();
      store = await reopen();
    });
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
      await h.cleanup();
    });

    it('stores, replaces and forgets alerts by fingerprint', async () => {
      await store.putAlert(alertFixture());
      await store.putAlert(alertFixture({ fingerprint: 'fp2', state: 'pending', value: null }));
      await store.putAlert(alertFixture({ acknowledgedAt: T + 5, acknowledgedBy: 'ana' }));
      expect(await store.listAlerts()).toEqual([
        alertFixture({ acknowledgedAt: T + 5, acknowledgedBy: 'ana' }),
        alertFixture({ fingerprint: 'fp2', state: 'pending', value: null }),
      ]);
      await store.deleteAlert('fp1');
      await store.deleteAlert('nope');
      expect((await store.listAlerts()).map((a) => a.fingerprint)).toEqual(['fp2']);
    });

    it('keeps open outages until restored and finds outages overlapping a period', async () => {
      await store.putOutage(outageFixture());
      await store.putOutage(outageFixture({ id: 'o-2', service: 'x', startedAt: T - 10_000, restoredAt: T - 5_000 }));
      expect((await store.openOutages()).map((o) => o.id)).toEqual(['o-1']);
      await store.putOutage(outageFixture({ warningsSent: [900_000], breached: true, restoredAt: T + 2_000_000 }));
      expect(await store.openOutages()).toEqual([]);
      expect(await store.getOutage('o-1')).toEqual(outageFixture({ warningsSent: [900_000], breached: true, restoredAt: T + 2_000_000 }));
      expect(await store.getOutage('missing')).toBeUndefined();
      expect((await store.outagesBetween(T - 6_000, T)).map((o) => o.id)).toEqual(['o-2']);
      expect((await store.outagesBetween(T - 4_000, T + 1)).map((o) => o.id)).toEqual(['o-1']);
      expect((await store.outagesBetween(T + 3_000_000, T + 4_000_000))).toEqual([]);
    });

    it('claims a notification exactly once, even across connections and concurrent claims', async () => {
      const other = await reopen();
      const claims = await Promise.all([
        store.claimNotification('outage:o-1:warn:900000', T),
        other.claimNotification('outage:o-1:warn:900000', T),
        store.claimNotification('outage:o-1:warn:900000', T),
      ]);
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await other.claimNotification('outage:o-1:breach', T)).toBe(true);
      expect(await store.pruneNotifications(T + 1)).toBe(2);
      expect(await store.claimNotification('outage:o-1:breach', T + 2)).toBe(true);
    });

    it('prunes claims older than the cut-off, except those of the alerts and outages it is told to keep', async () => {
      for (const id of ['alert:fpA:1:firing', 'alert:fpA:1:resolved', 'alert:fpB:1:firing', 'outage:o-1:warn:900000']) {
        expect(await store.claimNotification(id, T)).toBe(true);
      }
      expect(await store.claimNotification('alert:fpC:2:firing', T + 10)).toBe(true);
      expect(await store.pruneNotifications(T + 1, ['alert:fpB:', 'outage:o-1:'])).toBe(2);
      const other = await reopen();
      expect(await other.claimNotification('alert:fpA:1:firing', T + 20)).toBe(true);
      expect(await other.claimNotification('alert:fpA:1:resolved', T + 20)).toBe(true);
      expect(await other.claimNotification('alert:fpB:1:firing', T + 20)).toBe(false);
      expect(await other.claimNotification('outage:o-1:warn:900000', T + 20)).toBe(false);
      expect(await other.claimNotification('alert:fpC:2:firing', T + 20)).toBe(false);
    });

    it('keeps every write of a batch once it is committed', async () => {
      await store.beginBatch();
      await store.putAlert(alertFixture({ fingerprint: 'fp1' }));
      await store.putAlert(alertFixture({ fingerprint: 'fp2' }));
      expect(await store.claimNotification('alert:fp2:1:firing', T)).toBe(true);
      await store.deleteAlert('fp1');
      await store.commitBatch();
      const other = await reopen();
      expect((await other.listAlerts()).map((a) => a.fingerprint)).toEqual(['fp2']);
      expect(await other.claimNotification('alert:fp2:1:firing', T)).toBe(false);
    });

    it('writes an alert and its outbox entry together; overdue entries are listed until removed', async () => {
      const firing = { id: 'alert:fp1:1:firing', kind: 'firing', fingerprint: 'fp1', severity: 'critical', labels: { target: 'r1' },
        annotations: {}, summary: 'LinkDown: r1', startsAt: T, crossedAt: T } as const;
      await store.putAlert(alertFixture(), { notification: firing, dueAt: T + 20_000 });
      await store.putAlert(alertFixture({ fingerprint: 'fp2' }), { notification: { ...firing, id: 'alert:fp2:1:firing', fingerprint: 'fp2' }, dueAt: T + 10_000 });
      await store.putAlert(alertFixture({ fingerprint: 'fp3' }));
      expect((await store.listAlerts()).map((a) => a.fingerprint)).toEqual(['fp1', 'fp2', 'fp3']);
      expect(await store.overdueOutbox(T + 9_999)).toEqual([]);
      const other = await reopen();
      expect((await other.overdueOutbox(T + 20_000)).map((e) => e.notification.id)).toEqual(['alert:fp2:1:firing', 'alert:fp1:1:firing']);
      expect(await other.overdueOutbox(T + 20_000)).toContainEqual({ notification: firing, dueAt: T + 20_000 });
      await other.removeOutbox('alert:fp2:1:firing');
      await other.removeOutbox('never-there');
      expect((await store.overdueOutbox(T + 20_000)).map((e) => e.notification.id)).toEqual(['alert:fp1:1:firing']);
    });

    it('opens one outage per service: a second opener joins the open one with its alerts', async () => {
      const other = await reopen();
      expect(await store.openOutage(outageFixture({ id: 'o-a', alerts: ['fp1'] }))).toEqual(outageFixture({ id: 'o-a', alerts: ['fp1'] }));
      const joined = await other.openOutage(outageFixture({ id: 'o-b', alerts: ['fp2'], startedAt: T + 5 }));
      expect(joined.id).toBe('o-a');
      expect([...joined.alerts].sort()).toEqual(['fp1', 'fp2']);
      expect((await store.openOutages()).map((o) => [o.id, [...o.alerts].sort()])).toEqual([['o-a', ['fp1', 'fp2']]]);
      expect(await store.getOutage('o-b')).toBeUndefined();
      // Two openers may compute the same id (same service, same start): the second still joins.
      expect((await other.openOutage(outageFixture({ id: 'o-a', alerts: ['fp3'] }))).alerts).toEqual(['fp1', 'fp2', 'fp3']);
      // Once restored, the service's next outage opens anew.
      await store.putOutage({ ...joined, alerts: [], restoredAt: T + 60_000 });
      expect((await other.openOutage(outageFixture({ id: 'o-c', startedAt: T + 120_000 }))).id).toBe('o-c');
    });

    it('stores acknowledgements and silences', async () => {
      await store.putAck({ id: 'fp1', by: 'ana', at: T });
      await store.putAck({ id: 'fp1', by: 'bo', at: T + 1, comment: 'on it' });
      expect(await store.listAcks()).toEqual([{ id: 'fp1', by: 'bo', at: T + 1, comment: 'on it' }]);
      const s = { id: 's1', matchers: { site: 'dc1' }, startsAt: T, endsAt: T + 3_600_000, createdBy: 'ana', maintenance: true };
      await store.putSilence(s);
      expect(await store.listSilences()).toEqual([s]);
      expect(await store.deleteSilence('s1')).toBe(true);
      expect(await store.deleteSilence('s1')).toBe(false);
      expect(await store.listSilences()).toEqual([]);
    });

    it('remembers each link seen up once, across a reconnect', async () => {
      expect(await store.linksSeenUp()).toEqual([]);
      await store.rememberLinkSeenUp('r1/ge-0/0/2', T);
      await store.rememberLinkSeenUp('r1/ge-0/0/1', T + 1);
      await store.rememberLinkSeenUp('r1/ge-0/0/1', T + 2);
      expect(await (await reopen()).linksSeenUp()).toEqual(['r1/ge-0/0/1', 'r1/ge-0/0/2']);
    });

    it('keeps the first secret offered under a name, whoever offers one later, across a reconnect', async () => {
      const other = await reopen();
      const [a, b] = await Promise.all([store.keepSecret('ack-link-key', 'first'), other.keepSecret('ack-link-key', 'second')]);
      expect(a).toBe(b);
      expect(await (await reopen()).keepSecret('ack-link-key', 'third')).toBe(a);
      expect(await store.keepSecret('another', 'x')).toBe('x');
    });

    it('keeps rule memory by key across a reconnect, and forgets what was not saved since the cut-off', async () => {
      await store.saveRuleMemory([{ key: 'A\u0000voice,target=a', body: '1' }, { key: 'A\u0000voice,target=b', body: '2' }], T, 0);
      await store.saveRuleMemory([{ key: 'A\u0000voice,target=a', body: '3' }], T + 10, T + 1);
      expect([...(await (await reopen()).ruleMemory())]).toEqual([['A\u0000voice,target=a', '3']]);
    });

    it('a call drop baseline learnt before a restart of the store judges the first jump after it', async () => {
      const rules = loadRuleFiles(['alert-rules/3.3-trends.yaml'], { baseDir: new URL('../..', import.meta.url).pathname }).rules;
      const clock = new FakeClock(T);
      const fired: AlertTransition[] = [];
      const runner = (memory: StateStore) => new RuleRunner({ clock, rules, memory, onTransitions: (ts) => fired.push(...ts.filter((x) => x.to === 'firing')) });
      // Four weeks of a daily pattern (0.2 % at night, 0.4 % by day), one sample an hour.
      const calls = (extra = 0) => ({ call_attempts: 1000, calls_dropped: Math.round(1000 * ((new Date(clock.now()).getUTCHours() >= 8 ? 0.004 : 0.002) + extra)) });
      const before = runner(store);
      before.start();
      for (; clock.now() < T + 4 * WEEK; clock.advance(HOUR)) before.write([{ measurement: 'voice', tags: { target: 'msc-1' }, fields: calls(), time: clock.now() }]);
      before.stop();
      await before.saveMemory();
      await store.close();
      opened.splice(opened.indexOf(store), 1);

      const after = runner(await reopen());
      // Two models of that trunk: CallDropRateUnusual and CallDropRateRising.
      expect(await after.resumeMemory()).toBe(2);
      after.start();
      // A jump of 2 points, held for an hour: pending at once, firing after for: 30m.
      for (let i = 0; i < 2; i++, clock.advance(HOUR)) after.write([{ measurement: 'voice', tags: { target: 'msc-1' }, fields: calls(0.02), time: clock.now() }]);
      after.stop();
      expect(fired.map((x) => x.rule)).toEqual(['CallDropRateUnusual']);
    });

    it('everything written is there after reconnecting', async () => {
      await store.putAlert(alertFixture());
      await store.putOutage(outageFixture({ warningsSent: [900_000] }));
      await store.claimNotification('n1', T);
      const again = await reopen();
      expect(await again.listAlerts()).toEqual([alertFixture()]);
      expect(await again.openOutages()).toEqual([outageFixture({ warningsSent: [900_000] })]);
      expect(await again.claimNotification('n1', T)).toBe(false);
    });
  });
}
