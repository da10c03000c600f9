import { describe, expect, it } from 'vitest';
import { DeliveryError } from './delivery.js';
import { alert, setup, T0 } from './testing.js';
describe('Notifier hands notifications over to the queue', () => {
  it('says a firing message is handed over only once its group_wait passed and it was queued, and at once when it is dropped', async () => {
    const handed: string[] = [];
    const t = setup({ routes: [{ match: { site: 'bj1' }, channels: ['mail'], group_wait: '30s' }] }, handed);
    await t.notifier.start();
    await t.notifier.deliver(alert('a'));
    await t.advance(29_000);
    expect(handed).toEqual([]);
    expect(t.subjects('mail')).toEqual([]);
    await t.advance(1_000);
    expect(handed).toEqual(['a:firing']);
    expect(t.subjects('mail')).toHaveLength(1);
    // Silenced, or matched by no route: notify is done with it at once.
    t.silenced.add('b');
    await t.notifier.deliver(alert('b'));
    await t.notifier.deliver(alert('c', 'firing', { labels: { alertname: 'LinkDown', site: 'elsewhere', target: 'c' } }));
    expect(handed).toEqual(['a:firing', 'b:firing', 'c:firing']);
  });
});

describe('Notifier routing', () => {
  it.each([
    // labels/severity of the alert, routes, channels that hear it
    ['a critical alert on a critical-only route', 'critical', [{ match: { severity: 'critical' }, channels: ['sms'] }, { match: {}, channels: ['mail'] }], ['sms']],
    ['a warning skips the critical route', 'warning', [{ match: { severity: 'critical' }, channels: ['sms'] }, { match: {}, channels: ['mail'] }], ['mail']],
    ['continue lets later routes match too', 'critical', [{ match: { severity: 'critical' }, channels: ['sms'], continue: true }, { match: {}, channels: ['mail'] }], ['sms', 'mail']],
    ['match_re is anchored', 'critical', [{ match_re: { site: 'bj' }, channels: ['sms'] }, { match_re: { site: 'bj.*' }, channels: ['mail'] }], ['mail']],
    ['no matching route: nobody', 'info', [{ match: { severity: 'critical' }, channels: ['sms'] }], []],
  ] as const)('%s', async (_name, severity, routes, expected) => {
    const t = setup({ routes: routes as never });
    await t.notifier.start();
    await t.notifier.deliver(alert('r1', 'firing', { severity }));
    await t.advance(2_000);
    const heard = [...t.channels.entries()].filter(([, c]) => c.sent.length).map(([n]) => n);
    expect(heard.sort()).toEqual([...expected].sort());
  });
});

describe('Notifier grouping', () => {
  it('the first notification of a new group waits group_wait (1 s by default), not longer', async () => {
    const t = setup({});
    await t.notifier.start();
    await t.notifier.deliver(alert('a'));
    await t.advance(900);
    expect(t.subjects('mail')).toEqual([]);
    await t.advance(200);
    expect(t.channels.get('mail')!.sent.map((s) => s.at - T0)).toEqual([1_000]);
  });

  it('alerts of one group within group_wait go out as one message; later ones wait group_interval', async () => {
    const t = setup({ routes: [{ match: {}, channels: ['mail'], group_by: ['site'], group_wait: '1s', group_interval: '1m' }] });
    await t.notifier.start();
    await t.notifier.deliver(alert('a'));
    await t.advance(500);
    await t.notifier.deliver(alert('b'));
    await t.advance(1_000);
    expect(t.subjects('mail')).toEqual(['[CRIT] bj1/a out of target 1s +1 more — LinkDown']);
    await t.notifier.deliver(alert('c'));
    await t.advance(30_000);
    expect(t.subjects('mail')).toHaveLength(1);
    await t.advance(30_000);
    expect(t.subjects('mail')).toHaveLength(2);
    expect(t.channels.get('mail')!.sent[1]!.message.text).toMatch(/3 firing/);
  });

  it('an unchanged firing group is repeated after repeat, and only then', async () => {
    const t = setup({ routes: [{ match: {}, channels: ['mail'], repeat: '30m' }] });
    await t.notifier.start();
    await t.notifier.deliver(alert('a'));
    await t.advance(1_000);
    await t.advance(29 * 60_000);
    expect(t.subjects('mail')).toHaveLength(1);
    await t.advance(60_000);
    expect(t.subjects('mail')).toHaveLength(2);
    await t.advance(30 * 60_000);
    expect(t.subjects('mail')).toHaveLength(3);
  });

  it('a resolved alert that was notified is announced; one resolved before it was told is not', async () => {
    const t = setup({});
    await t.notifier.start();
    await t.notifier.deliver(alert('told'));
    await t.advance(1_500);
    await t.notifier.deliver(alert('told', 'resolved'));
    await t.notifier.deliver(alert('flap'));
    await t.advance(300);
    await t.notifier.deliver(alert('flap', 'resolved'));
    await t.advance(5 * 60_000);
    expect(t.subjects('mail')).toEqual(['[CRIT] bj1/told out of target 1s — LinkDown', '[OK] bj1/told back after 0s — LinkDown']);
  });

  it('an alert silenced after it was sent still gets its resolved notification', async () => {
    const t = setup({});
    await t.notifier.start();
    await t.notifier.deliver(alert('a'));
    await t.advance(1_500);
    t.silenced.add('a');
    await t.notifier.deliver(alert('a', 'resolved'));
    await t.advance(2 * 60_000);
    expect(t.subjects('mail')).toEqual(['[CRIT] bj1/a out of target 1s — LinkDown', '[OK] bj1/a back after 0s — LinkDown']);
  });

  it('an alert silenced after it was sent gets no more reminders and does not escalate', async () => {
    const t = setup({
      routes: [{ match: {}, channels: ['mail'], repeat: '30m', escalation: 'noc' }],
      escalations: { noc: { steps: [{ after: '10m', channels: ['duty'] }], sla_breach: ['boss'] } },
    });
    await t.notifier.start();
    await t.notifier.deliver(alert('a'));
    await t.advance(1_500);
    t.silenced.add('a');
    await t.advance(65 * 60_000);
    expect(t.subjects('mail')).toEqual(['[CRIT] bj1/a out of target 1s — LinkDown']);
    expect(t.channels.get('duty')!.sent).toHaveLength(0);
  });

  it('a silenced alert is not announced at all', async () => {
    const t = setup({});
    t.silenced.add('a');
    await t.notifier.start();
    await t.notifier.deliver(alert('a'));
    await t.advance(10_000);
    await t.notifier.deliver(alert('a', 'resolved'));
    await t.advance(2 * 60_000);
    expect(t.subjects('mail')).toEqual([]);
  });

  it('the same notification delivered twice is sent once', async () => {
    const t = setup({ routes: [{ match: {}, channels: ['mail'], group_wait: '0s' }] });
    await t.notifier.start();
    await t.notifier.deliver(alert('a', 'sla_warning'));
    await t.notifier.deliver(alert('a', 'sla_warning'));
    await t.advance(1_000);
    expect(t.subjects('mail')).toHaveLength(1);
  });
});

describe('Notifier escalation and acks', () => {
  const ladder = {
    routes: [{ match: {}, channels: ['mail'], escalation: 'noc' }],
    escalations: { noc: { steps: [{ after: '10m', channels: ['duty'] }, { after: '30m', channels: ['boss'] }], sla_breach: ['boss'] } },
  };

  it.each([
    // ack at (ms after first notification, or never), who hears by 40 min
    ['never acked: both tiers hear', undefined, { duty: 1, boss: 1 }],
    ['acked at 5 min: nobody else hears', 5 * 60_000, { duty: 0, boss: 0 }],
    ['acked at 20 min: the duty tier heard, the next does not', 20 * 60_000, { duty: 1, boss: 0 }],
  ] as const)('%s', async (_name, ackAt, heard) => {
    const t = setup(ladder);
    await t.notifier.start();
    await t.notifier.deliver(alert('a'));
    await t.advance(1_000);
    if (ackAt !== undefined) {
      await t.advance(ackAt);
      expect(t.notifier.ack('a', 'alice')).toBe(true);
    }
    await t.advance(40 * 60_000 - (ackAt ?? 0));
    expect(t.channels.get('duty')!.sent.length).toBe(heard.duty);
    expect(t.channels.get('boss')!.sent.length).toBe(heard.boss);
    if (heard.duty) expect(t.channels.get('duty')!.sent[0]!.message.text).toMatch(/Escalated: not acknowledged after 10 min/);
  });

  it('an escalated alert that resolves tells the escalation tiers too', async () => {
    const t = setup(ladder);
    await t.notifier.start();
    await t.notifier.deliver(alert('a'));
    await t.advance(11 * 60_000);
    await t.notifier.deliver(alert('a', 'resolved'));
    await t.advance(2 * 60_000);
    expect(t.subjects('duty')).toEqual(['[CRIT] ESCALATED bj1/a out of target 10m — LinkDown', '[OK] bj1/a back after 0s — LinkDown']);
    expect(t.subjects('boss')).toEqual([]);
  });

  it('a flap that ends resolved stops the escalation; one that ends firing does not', async () => {
    const t = setup(ladder);
    await t.notifier.start();
    await t.notifier.deliver(alert('a'));
    await t.notifier.deliver(alert('b'));
    await t.advance(2 * 60_000);
    await t.notifier.deliver(alert('a', 'flap_ended', { endsAt: T0 + 2 * 60_000 }));
    await t.notifier.deliver(alert('b', 'flap_ended'));
    await t.advance(9 * 60_000);
    expect(t.subjects('duty')).toHaveLength(1);
    expect(t.subjects('duty')[0]).toMatch(/^\[CRIT\] ESCALATED bj1\/b /);
  });

  it('an SLA breach goes to the managers tier even when acked', async () => {
    const t = setup(ladder);
    await t.notifier.start();
    await t.notifier.deliver(alert('a'));
    await t.advance(1_000);
    t.notifier.ack('a', 'alice');
    const outage = { id: 'o1', service: 'voice', startedAt: T0, recoveryTarget: 1_800_000, remaining: -60_000 };
    await t.notifier.deliver(alert('a', 'sla_breach', { outage }));
    await t.advance(1_000);
    expect(t.subjects('boss')).toEqual(['[CRIT] bj1/a down 1s, SLA missed — LinkDown (target 30m)']);
    expect(t.channels.get('boss')!.sent[0]!.message.text).toMatch(/voice: recovery target 30 min missed at \d\d:\d\d:\d\d UTC; 1m over/);
    await t.notifier.deliver(alert('a', 'sla_restored', { outage: { ...outage, remaining: -120_000 } }));
    await t.advance(1_000);
    expect(t.subjects('boss')).toHaveLength(2);
  });

  it('acking an unknown alert says so', () => {
    const t = setup({});
    expect(t.notifier.ack('nope', 'alice')).toBe(false);
  });
});

describe('Notifier delivery', () => {
  it('retryable failures are retried with backoff and the message is sent exactly once', async () => {
    const t = setup({ routes: [{ match: {}, channels: ['mail'], group_wait: '0s' }] });
    const mail = t.channels.get('mail')!;
    mail.failures = [new DeliveryError('mail', true, '421'), new DeliveryError('mail', true, '451')];
    await t.notifier.start();
    await t.notifier.deliver(alert('a'));
    await t.advance(10_000);
    expect(mail.sent).toHaveLength(1);
    // backoff with random()=0: 500 ms then 1 s after the failures (the fake clock steps 100 ms)
    expect(mail.sent[0]!.at - T0).toBeGreaterThanOrEqual(1_500);
    expect(mail.sent[0]!.at - T0).toBeLessThanOrEqual(1_700);
    const text = await t.registry.getSingleMetricAsString('kpid_notifications_total');
    expect(text).toMatch(/channel="mail",result="retry"} 2/);
    expect(text).toMatch(/channel="mail",result="sent"} 1/);
  });

  it('a permanent failure goes to the dead letter at once and shows in metrics', async () => {
    const t = setup({ routes: [{ match: {}, channels: ['mail'], group_wait: '0s' }] });
    t.channels.get('mail')!.failures = [new DeliveryError('mail', false, '550 no such user')];
    await t.notifier.start();
    await t.notifier.deliver(alert('a'));
    await t.advance(60_000);
    expect(await t.queue.deadLetters()).toMatchObject([{ attempts: 1, error: '550 no such user' }]);
    expect(await t.registry.getSingleMetricAsString('kpid_notify_dead_letters')).toMatch(/kpid_notify_dead_letters 1/);
  });

  it('delivery latency is measured from the crossing sample to acceptance', async () => {
    const t = setup({});
    await t.notifier.start();
    await t.notifier.deliver(alert('a', 'firing', { crossedAt: T0 - 4_000 }));
    await t.advance(2_000);
    const text = await t.registry.getSingleMetricAsString('kpid_alert_delivery_seconds');
    expect(text).toMatch(/kpid_alert_delivery_seconds_sum{channel="mail"} 5\n/);
  });

  it('storm control: beyond max_messages per window an SMS recipient gets one summary', async () => {
    const t = setup({ routes: [{ match: {}, channels: ['sms'], group_wait: '0s' }], storm: { window: '1m', max_messages: 3 } });
    await t.notifier.start();
    for (let i = 0; i < 10; i++) await t.notifier.deliver(alert(`s${i}`));
    await t.advance(1_000);
    const sms = t.channels.get('sms')!;
    expect(sms.sent.filter((s) => s.recipient === '+8613800000001')).toHaveLength(3);
    await t.advance(60_000);
    const mine = sms.sent.filter((s) => s.recipient === '+8613800000001');
    expect(mine).toHaveLength(4);
    expect(mine[3]!.message.sms).toMatch(/^kpid STORM: 7 alerts in 1m: 7 CRIT, 0 WARN firing/);
  });
});
