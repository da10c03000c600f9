import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { Notification, NotificationKind } from '../core/alert.js';
import { FakeClock, flushMicrotasks } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import { notifyOptions } from './notify-options.js';
import { notifySchema } from '../config/sections/notify.js';
import { defineNotifyMetrics } from '../metrics/notify-metrics.js';
import type { Channel, RenderedMessage } from './delivery.js';
import { Notifier } from './notifier.js';
import { MemoryJobQueue } from './queue/memory-queue.js';
import { StormGuard, type StormSummary } from './storm-guard.js';
import { renderStormSummary } from './storm-summary.js';

const T0 = Date.UTC(2026, 0, 1);
const SEC = 1000;

function alert(i: number, kind: NotificationKind = 'firing', rule = 'InterfaceInDiscardsWarning', site = `site${i % 3}`): Notification {
  const fingerprint = `fp${i}`;
  return {
    id: `${fingerprint}:${kind}`, kind, fingerprint, severity: 'warning',
    labels: { alertname: rule, site, target: `sw${i}` }, annotations: {}, summary: 'discards', startsAt: T0, crossedAt: T0,
  };
}

describe('StormGuard on a fake clock', () => {
  // [what happens, bursts of changes (at s, count), the summaries as "window end (s):alerts[:last]"]
  const cases: [string, [number, number][], string[]][] = [
    ['200 changes in a minute is not a storm (more than 200 is)', [[0, 200]], []],
    ['201 at once: one summary for the window, then calm ends the storm', [[0, 201]], ['60:201:last']],
    ['a storm that goes on: a summary per window until a minute with 200 or fewer', [[0, 300], [30, 250], [100, 250], [170, 10]], ['60:550', '120:250', '180:10:last']],
    ['a burst a minute after the last starts a new storm', [[0, 300], [61, 250]], ['60:300:last', '121:250:last']],
    ['changes count over a sliding minute: 150 then 60 at 50 s is a storm from 50 s', [[0, 150], [50, 60]], ['110:60:last']],
    ['150 then 60 at 61 s is never more than 200 in a minute', [[0, 150], [61, 60]], []],
  ];
  for (const [name, bursts, expected] of cases) {
    it(name, () => {
      const clock = new FakeClock(T0);
      const got: StormSummary[] = [];
      const guard = new StormGuard(clock, { maxChanges: 200, interval: 60 * SEC }, (s) => got.push(s));
      let i = 0;
      for (const [at, count] of bursts) {
        clock.advance(T0 + at * SEC - clock.now());
        const burst = Array.from({ length: count }, () => alert(i++));
        for (let k = 0; k < count; k++) guard.recordChange();
        // grouping flushes them 1 s later (group_wait), to two channels
        clock.advance(SEC);
        for (const n of burst) guard.hold(['mail', 'hook'], [n]);
      }
      clock.advance(10 * 60 * SEC);
      const mail = got.filter((s) => s.channel === 'mail');
      expect(mail.map((s) => `${(s.windowEnd - T0) / SEC}:${s.alerts.length}${s.last ? ':last' : ''}`)).toEqual(expected);
      // every channel gets the same summaries, one per window
      expect(got.filter((s) => s.channel === 'hook').map((s) => s.windowEnd)).toEqual(mail.map((s) => s.windowEnd));
      expect(guard.active).toBe(false);
    });
  }

  it('the same alert held twice in a window (two routes to one channel) is listed once', () => {
    const clock = new FakeClock(T0);
    const got: StormSummary[] = [];
    const guard = new StormGuard(clock, { maxChanges: 1, interval: 60 * SEC }, (s) => got.push(s));
    guard.recordChange();
    guard.recordChange();
    guard.hold(['mail'], [alert(1)]);
    guard.hold(['mail'], [alert(1), alert(1, 'resolved')]);
    clock.advance(60 * SEC);
    expect(got.map((s) => s.alerts.map((a) => a.id))).toEqual([['fp1:firing', 'fp1:resolved']]);
  });
});

describe('the storm summary', () => {
  it('counts by rule and by site and links to the full list', () => {
    const alerts = [
      ...Array.from({ length: 5 }, (_, i) => alert(i, 'firing', 'InterfaceInDiscardsWarning', 'dc1')),
      ...Array.from({ length: 2 }, (_, i) => alert(10 + i, 'resolved', 'LinkDown', 'dc2')),
    ];
    const m = renderStormSummary({ channel: 'mail', alerts, windowStart: T0, windowEnd: T0 + 60 * SEC, last: true }, { externalUrl: 'https://kpid.example.net', maxAlerts: 0 });
    expect(m.subject).toBe('kpid alert storm: 7 alert changes in 1m (5 firing, 2 resolved)');
    expect(m.text).toContain('By rule:\n      5  InterfaceInDiscardsWarning\n      2  LinkDown');
    expect(m.text).toContain('By site:\n      5  dc1\n      2  dc2');
    expect(m.text).toContain('Full list: https://kpid.example.net/api/v1/alerts');
    expect(m.text).toContain('The storm is over');
    expect(m.sms).toBe('kpid storm: 7 changes in 1m: 5 InterfaceInDiscardsWarning, 2 LinkDown at 2 sites | https://kpid.example.net/api/v1/alerts');
    expect((m.webhook as { alerts: unknown[] }).alerts).toHaveLength(7);
  });
});

class RecordingChannel implements Channel {
  readonly sent: { message: RenderedMessage; recipient: string; at: number }[] = [];
  constructor(readonly name: string, readonly type: Channel['type'], readonly recipients: string[], private readonly clock: FakeClock) {}
  async send(message: RenderedMessage, recipient: string): Promise<void> {
    this.sent.push({ message, recipient, at: this.clock.now() });
  }
  async close(): Promise<void> {}
}

describe('Notifier with the storm guard', () => {
  function setup() {
    const clock = new FakeClock(T0);
    const cfg = notifyOptions(notifySchema.parse({
      channels: {
        mail: { email: { smtp: { host: '127.0.0.1' }, from: 'kpid@example.net', to: ['noc@example.net'] } },
        sms: { sms: { http: { url: 'http://127.0.0.1:1/send' }, to: ['+8613800000001', '+8613800000002'] } },
        hook: { webhook: { url: 'http://127.0.0.1:1/hook' } },
      },
      routes: [{ match: {}, channels: ['mail', 'sms', 'hook'] }],
    }));
    const channels = new Map<string, RecordingChannel>([
      ['mail', new RecordingChannel('mail', 'email', ['noc@example.net'], clock)],
      ['sms', new RecordingChannel('sms', 'sms', ['+8613800000001', '+8613800000002'], clock)],
      ['hook', new RecordingChannel('hook', 'webhook', ['http://127.0.0.1:1/hook'], clock)],
    ]);
    const queue = new MemoryJobQueue(clock, { attempts: 4, backoff: { initial: 1_000, max: 10_000 }, random: () => 0 });
    const notifier = new Notifier(cfg, queue, channels, clock, silentLogger(), defineNotifyMetrics(new Registry()));
    const advance = async (ms: number) => {
      await clock.advanceAsync(ms, 100);
      await notifier.settled();
      await flushMicrotasks();
    };
    return { clock, notifier, channels, advance };
  }

  it('300 alerts firing at once: each recipient of every channel gets one summary per window and no per-alert message', async () => {
    const { notifier, channels, advance } = setup();
    await notifier.start();
    for (let i = 0; i < 300; i++) await notifier.deliver(alert(i));
    await advance(60 * SEC);
    const subjects = (c: string) => channels.get(c)!.sent.map((s) => `${s.recipient} ${s.message.subject}`);
    expect(subjects('mail')).toEqual(['noc@example.net kpid alert storm: 300 alert changes in 1m (300 firing, 0 resolved)']);
    expect(subjects('sms')).toEqual([
      '+8613800000001 kpid alert storm: 300 alert changes in 1m (300 firing, 0 resolved)',
      '+8613800000002 kpid alert storm: 300 alert changes in 1m (300 firing, 0 resolved)',
    ]);
    expect(subjects('hook')).toHaveLength(1);
    // The storm is over (no changes in the last minute): per-alert delivery resumes.
    await notifier.deliver(alert(1000));
    await advance(2 * SEC);
    expect(channels.get('mail')!.sent.at(-1)!.message.subject).toMatch(/^\[WARN\] site1\/sw1000 /);
    await notifier.close();
  });

  it('in a storm, restorations and flap notices join the summary; an SLA breach still goes out on its own', async () => {
    const { notifier, channels, advance } = setup();
    await notifier.start();
    for (let i = 0; i < 300; i++) await notifier.deliver(alert(i));
    for (let i = 0; i < 50; i++) await notifier.deliver(alert(i, 'sla_restored', 'DeviceUnreachable'));
    for (let i = 50; i < 60; i++) await notifier.deliver(alert(i, 'flapping'));
    await notifier.deliver(alert(999, 'sla_breach', 'DeviceUnreachable'));
    await advance(60 * SEC);
    const mail = channels.get('mail')!.sent.map((s) => s.message.subject);
    expect(mail.filter((s) => /storm/.test(s))).toEqual(['kpid alert storm: 360 alert changes in 1m (310 firing, 50 resolved)']);
    expect(mail.filter((s) => !/storm/.test(s))).toHaveLength(1);
    expect(mail.find((s) => !/storm/.test(s))).toMatch(/sw999/);
    await notifier.close();
  });

  it('a few alerts at once are sent one by one', async () => {
    const { notifier, channels, advance } = setup();
    await notifier.start();
    for (let i = 0; i < 5; i++) await notifier.deliver(alert(i));
    await advance(60 * SEC);
    expect(channels.get('mail')!.sent).toHaveLength(5);
    await notifier.close();
  });
});
