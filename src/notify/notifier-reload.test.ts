import { describe, expect, it } from 'vitest';
import { DeliveryError } from './delivery.js';
import { alert, options, RecordingChannel, setup } from './testing.js';

describe('Notifier at a reload (reconfigure)', () => {
  it('an alert announced before the routes changed resolves to whoever was told; a new alert follows the new routes', async () => {
    const t = setup({ routes: [{ match: {}, channels: ['mail'], group_wait: '1s' }] });
    await t.notifier.start();
    await t.notifier.deliver(alert('a'));
    await t.advance(1_000);
    expect(t.subjects('mail')).toHaveLength(1);

    t.notifier.reconfigure(options({ routes: [{ match: {}, channels: ['duty'], group_wait: '1s' }] }), () => new Map());
    await t.notifier.deliver(alert('a', 'resolved'));
    await t.notifier.deliver(alert('b'));
    // The resolution waits for the old group's group_interval (default 1 min).
    await t.advance(60_000);
    expect(t.subjects('mail')).toHaveLength(2);
    expect(t.subjects('mail')[1]).toMatch(/^\[OK\] bj1\/a back/);
    expect(t.subjects('duty')).toEqual([expect.stringMatching(/bj1\/b/)]);
  });

  it('a message queued for a channel that changed goes out through the new one, to the recipient it was queued for, once', async () => {
    const t = setup({ routes: [{ match: {}, channels: ['mail'], group_wait: '0s' }] });
    await t.notifier.start();
    const old = t.channels.get('mail')!;
    old.failures.push(new DeliveryError('mail', true, 'SMTP 451: try again later'));
    await t.notifier.deliver(alert('a'));
    await t.advance(100);
    // Its first attempt failed; the retry waits in the queue.
    expect(old.failures).toEqual([]);
    expect(old.sent).toHaveLength(0);

    const replacement = new RecordingChannel('mail', 'email', ['oncall@example.net'], t.clock);
    const mailTo = (to: string[]) => ({ email: { smtp: { host: '127.0.0.2' }, from: 'kpid@example.net', to } });
    t.notifier.reconfigure(
      options({ channels: { ...Object.fromEntries(['sms', 'duty', 'boss'].map((n) => [n, optionsInput(n)])), mail: mailTo(['oncall@example.net']) }, routes: [{ match: {}, channels: ['mail'], group_wait: '0s' }] }),
      (built) => new Map(Object.keys(built).map((n) => [n, replacement])),
    );
    // The queued job's retry (backoff 1 s) and a new alert, both after the reload.
    await t.advance(2_000);
    await t.notifier.deliver(alert('b'));
    await t.advance(100);
    expect(old.sent).toEqual([]);
    expect(replacement.sent.map((s) => s.recipient)).toEqual(['noc@example.net', 'oncall@example.net']);
  });
});

/** The starting channels' input, as options() writes them. */
function optionsInput(name: string) {
  const to = { sms: ['+8613800000001', '+8613800000002'], duty: ['duty@example.net'], boss: ['boss@example.net'] }[name]!;
  return name === 'sms'
    ? { sms: { http: { url: 'http://127.0.0.1:1/send' }, to } }
    : { email: { smtp: { host: '127.0.0.1' }, from: 'kpid@example.net', to } };
}
