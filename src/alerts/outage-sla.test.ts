import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { rulesFrom, MIN, T0 } from '../rules/testing.js';
import { startRuntime, tempDir, voiceServiceDownRule, wireRuntime } from './testing.js';

const rules = rulesFrom(voiceServiceDownRule('voice-{{ $labels.site }}', '[15m, 25m]', '\n  annotations: { summary: "voice probe failing at {{ $labels.site }}" }'));

const probe = (success: number, time: number, site = 'dc1') => ({
  measurement: 'probe', tags: { target: 'sbc1', site, probe: 'sip' }, fields: { success }, time,
});

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

function dbFile(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return join(t.dir, 'data', 'kpid.db');
}

describe('outage SLA clock', () => {
  it('warns at 15 and 25 minutes, escalates at the 30-minute breach, and closes on restore, each exactly once', async () => {
    const r = await startRuntime(rules, dbFile(), T0);
    r.rules.write([probe(0, T0)]);
    await r.runtime.flush();
    expect(r.notifier.kinds()).toEqual(['firing']);
    const [open] = r.runtime.outages();
    expect(open).toMatchObject({ service: 'voice-dc1', state: 'open', startedAt: new Date(T0).toISOString(), sla: { remainingSeconds: 1800, breached: false, met: null } });

    await r.advance(15 * MIN - 1);
    expect(r.notifier.kinds()).toEqual(['firing']);
    await r.advance(1);
    expect(r.notifier.kinds()).toEqual(['firing', 'sla_warning']);
    expect(r.notifier.sent[1]).toMatchObject({ id: `outage:${open!.id}:warn:900000`, outage: { remaining: 15 * MIN, service: 'voice-dc1' } });

    // Failing samples keep arriving; they must not re-announce anything.
    for (let m = 16; m <= 25; m++) {
      await r.advance(MIN);
      r.rules.write([probe(0, r.clock.now())]);
    }
    await r.runtime.flush();
    expect(r.notifier.kinds()).toEqual(['firing', 'sla_warning', 'sla_warning']);
    expect(r.notifier.sent[2]!.outage!.remaining).toBe(5 * MIN);

    await r.advance(5 * MIN);
    expect(r.notifier.kinds()).toEqual(['firing', 'sla_warning', 'sla_warning', 'sla_breach']);
    expect(r.notifier.sent[3]).toMatchObject({ severity: 'critical', outage: { remaining: 0 } });
    expect(r.runtime.outages()[0]!.sla).toMatchObject({ breached: true, met: false, warningsSentSeconds: [900, 1500] });

    await r.advance(10 * MIN);
    r.rules.write([probe(1, r.clock.now())]);
    await r.runtime.flush();
    expect(r.notifier.kinds()).toEqual(['firing', 'sla_warning', 'sla_warning', 'sla_breach', 'resolved', 'sla_restored']);
    const restored = r.runtime.outages()[0]!;
    expect(restored).toMatchObject({ state: 'restored', durationSeconds: 40 * 60, sla: { met: false, remainingSeconds: -600 } });
    expect(r.runtime.alerts()).toEqual([]);
    expect(await r.store.openOutages()).toEqual([]);
    await r.advance(60 * MIN);
    expect(r.notifier.sent).toHaveLength(6);
    await r.stop();
    await r.store.close();
  });

  it('an outage restored at 20 minutes meets the target: one warning, no breach', async () => {
    const r = await startRuntime(rules, dbFile(), T0);
    r.rules.write([probe(0, T0)]);
    await r.advance(20 * MIN);
    r.rules.write([probe(1, T0 + 20 * MIN)]);
    await r.advance(30 * MIN);
    expect(r.notifier.kinds()).toEqual(['firing', 'sla_warning', 'resolved', 'sla_restored']);
    expect(r.notifier.sent[3]!.summary).toContain('met');
    expect(r.runtime.outages()[0]).toMatchObject({ durationSeconds: 1200, sla: { met: true, breached: false } });
    const [a] = r.runtime.availability();
    // 20 minutes down in the rolling 30 days (43,200 minutes).
    expect(a!.rolling30d.availability).toBeCloseTo(1 - 20 / 43_200, 12);
    expect(a!.rolling30d.unplannedDowntimeSeconds).toBe(1200);
    await r.stop();
    await r.store.close();
  });

  it('two sites are two outages; a second alert for the same service joins the open outage', async () => {
    const r = await startRuntime(rules, dbFile(), T0);
    r.rules.write([probe(0, T0, 'dc1'), probe(0, T0, 'dc2')]);
    r.rules.write([{ ...probe(0, T0 + MIN, 'dc1'), tags: { target: 'sbc2', site: 'dc1', probe: 'sip' } }]);
    await r.runtime.flush();
    const outages = r.runtime.outages();
    expect(outages.map((o) => [o.service, o.alerts.length]).sort()).toEqual([['voice-dc1', 2], ['voice-dc2', 1]]);
    // sbc1 recovers, sbc2 still down: the dc1 outage stays open.
    r.rules.write([probe(1, T0 + 2 * MIN, 'dc1')]);
    await r.runtime.flush();
    expect(r.runtime.outages().find((o) => o.service === 'voice-dc1')!.state).toBe('open');
    await r.stop();
    await r.store.close();
  });
});

describe('acknowledgement and cause', () => {
  it('acknowledging the alert records it on the alert and its outage, and both survive a restart', async () => {
    const file = dbFile();
    const r = await startRuntime(rules, file, T0);
    r.rules.write([probe(0, T0)]);
    await r.advance(3 * MIN);
    const [alert] = r.runtime.alerts();
    expect(await r.runtime.acknowledge(alert!.id, 'ana', 'fibre cut, crew sent')).toBe(true);
    expect(await r.runtime.acknowledge('no-such-id', 'ana')).toBe(false);
    const outageId = r.runtime.outages()[0]!.id;
    expect(await r.runtime.annotateOutage(outageId, { cause: 'fibre cut at km 12' })).toBe(true);
    const acked = { by: 'ana', at: new Date(T0 + 3 * MIN).toISOString() };
    expect(r.runtime.alerts()[0]!.acknowledged).toEqual(acked);
    expect(r.runtime.outages()[0]).toMatchObject({ acknowledged: acked, cause: 'fibre cut at km 12', alerts: [alert!.id] });
    expect(await r.store.listAcks()).toEqual([{ id: alert!.id, by: 'ana', at: T0 + 3 * MIN, comment: 'fibre cut, crew sent' }]);
    const again = await startRuntime(rules, file, T0 + 4 * MIN);
    expect(again.runtime.alerts()[0]!.acknowledged).toEqual(acked);
    expect(again.runtime.outages()[0]).toMatchObject({ acknowledged: acked, cause: 'fibre cut at km 12' });
    for (const x of [r, again]) {
      await x.stop();
      await x.store.close();
    }
  });

  it('an outage opening inside planned maintenance is marked planned and left out of availability', async () => {
    const r = await startRuntime(rules, dbFile(), T0);
    const planned = wireRuntime(rules, {
      clock: r.clock, store: r.store, notifier: r.notifier, isPlanned: (labels) => labels.site === 'dc1',
    });
    await planned.start();
    planned.rules.write([probe(0, T0, 'dc1'), probe(0, T0, 'dc2')]);
    await r.advance(60 * MIN);
    planned.rules.write([probe(1, T0 + 60 * MIN, 'dc1'), probe(1, T0 + 60 * MIN, 'dc2')]);
    await planned.runtime.flush();
    const byService = Object.fromEntries(planned.runtime.availability().map((a) => [a.service, a.rolling30d]));
    expect(byService['voice-dc1']).toMatchObject({ availability: 1, plannedDowntimeSeconds: 3600, unplannedDowntimeSeconds: 0 });
    expect(byService['voice-dc2']).toMatchObject({ plannedDowntimeSeconds: 0, unplannedDowntimeSeconds: 3600 });
    expect(planned.runtime.outages().find((o) => o.service === 'voice-dc1')!.planned).toBe(true);
    await planned.stop();
    await r.stop();
    await r.store.close();
  });
});

describe('restart mid-outage', () => {
  it('a store abandoned without cleanup (as after kill -9) resumes the clock from the true start', async () => {
    const file = dbFile();
    const first = await startRuntime(rules, file, T0);
    first.rules.write([probe(0, T0)]);
    await first.advance(10 * MIN);
    expect(first.notifier.kinds()).toEqual(['firing']);
    // No stop(), no close(): the process "dies" here. A second connection to
    // the same file sees only what was committed.

    // kpid comes back 17 minutes later (27 minutes into the outage): the
    // 15-minute and 25-minute warnings fell due while it was down.
    const second = await startRuntime(rules, file, T0 + 27 * MIN);
    await second.runtime.flush();
    expect(second.notifier.kinds()).toEqual(['sla_warning', 'sla_warning']);
    const [o] = second.runtime.outages();
    expect(o).toMatchObject({ startedAt: new Date(T0).toISOString(), sla: { remainingSeconds: 180, warningsSentSeconds: [900, 1500] } });
    // The alert is still firing and is not announced again when samples return.
    second.rules.write([probe(0, T0 + 28 * MIN)]);
    await second.advance(3 * MIN);
    expect(second.notifier.kinds()).toEqual(['sla_warning', 'sla_warning', 'sla_breach']);
    expect(second.runtime.alerts()).toHaveLength(1);

    // A third start (crash again) sends nothing already sent.
    const third = await startRuntime(rules, file, T0 + 31 * MIN);
    await third.advance(9 * MIN);
    expect(third.notifier.sent).toEqual([]);
    third.rules.write([probe(1, T0 + 40 * MIN)]);
    await third.runtime.flush();
    expect(third.notifier.kinds()).toEqual(['resolved', 'sla_restored']);
    expect(third.runtime.outages()[0]).toMatchObject({ durationSeconds: 40 * 60, sla: { met: false } });
    for (const r of [first, second, third]) {
      await r.stop();
      await r.store.close();
    }
  });
});

describe('when an outage starts', () => {
  const unreachable = rulesFrom(`
- alert: DeviceUnreachable
  select: { measurement: target }
  value: { field: up, agg: max, samples: 3 }
  when: "= 0"
  severity: critical
  outage: { service: "{{ $labels.target }}", recovery_target: 30m, warn_at: [15m, 25m] }
`);
  const up = (v: number, time: number) => ({ measurement: 'target', tags: { target: 'edge-1', site: 'dc1' }, fields: { up: v }, time });

  it('a device unreachable for 3 polls has been down since the first failed poll: the SLA clock starts there', async () => {
    const r = await startRuntime(unreachable, dbFile(), T0);
    r.rules.write([up(1, T0)]);
    for (let poll = 1; poll <= 3; poll++) {
      await r.advance(MIN);
      r.rules.write([up(0, r.clock.now())]);
    }
    await r.runtime.flush();
    const [outage] = r.runtime.outages();
    expect(outage).toMatchObject({ service: 'edge-1', startedAt: new Date(T0 + MIN).toISOString() });
    // Detected at the third failed poll, two minutes after it began: 28 minutes are left, not 30.
    expect(outage!.sla.remainingSeconds).toBe(28 * 60);
    await r.advance(13 * MIN - 1);
    expect(r.notifier.kinds()).toEqual(['firing']);
    await r.advance(1);
    expect(r.notifier.kinds()).toEqual(['firing', 'sla_warning']);
  });
});
