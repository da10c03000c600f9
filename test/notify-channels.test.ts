import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { Notification } from '../src/core/alert.js';
import { systemClock } from '../src/core/clock.js';
import { createLogger, silentLogger } from '../src/core/logger.js';
import { notifyOptions } from '../src/notify/notify-options.js';
import { notifySchema, type NotifyConfigInput } from '../src/config/sections/notify.js';
import { defineNotifyMetrics } from '../src/metrics/notify-metrics.js';
import { buildChannels } from '../src/notify/channels/build-channels.js';
import type { SmppChannel } from '../src/notify/channels/sms-smpp.js';
import { Notifier } from '../src/notify/notifier.js';
import { MemoryJobQueue } from '../src/notify/queue/memory-queue.js';
import { decodedHeader, header, plainText, rawHeaderLines, TestSmtpServer } from './helpers/smtp.js';
import { TestSmsc } from './helpers/smsc.js';
import { TestWebhook, waitFor } from './helpers/webhook.js';

const smtp = new TestSmtpServer();
const smsc = new TestSmsc({ systemId: 'kpid', password: 's3cr3tpw' });
const hook = new TestWebhook();
const open: Notifier[] = [];

beforeAll(async () => {
  await Promise.all([smtp.start(), smsc.start(), hook.start()]);
});
afterAll(async () => {
  await Promise.all([smtp.stop(), smsc.stop(), hook.stop()]);
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((n) => n.close()));
  smtp.mails.length = 0;
  smtp.accept();
  smsc.submitted.length = 0;
  smsc.swallowSubmits = false;
  hook.requests.length = 0;
  hook.status = 200;
});

let seq = 0;
function alert(extra: Partial<Notification> = {}): Notification {
  const fp = `fp${++seq}${Math.random().toString(16).slice(2, 8)}`;
  const now = Date.now();
  return {
    id: `${fp}:firing`,
    kind: 'firing',
    fingerprint: fp,
    severity: 'critical',
    labels: { alertname: 'VoiceCallDrops', site: 'beijing-dc1', target: 'msc-1' },
    annotations: { runbook: 'https://wiki.example.net/voice' },
    summary: 'Call drop rate above target',
    value: 0.0123,
    threshold: 0.005,
    kpi: 'call_drop_rate',
    startsAt: now - 60_000,
    crossedAt: now - 300,
    outage: { id: 'out-7', service: 'voice', startedAt: now - 600_000, recoveryTarget: 1_800_000, remaining: 1_200_000 },
    ...extra,
  };
}

function notifier(notify: Partial<NotifyConfigInput>, log = process.env.DEBUG_NOTIFY ? createLogger('json', 'debug') : silentLogger()) {
  const cfg = notifyOptions(notifySchema.parse({
    external_url: 'http://noc.example.net:9464',
    retry: { attempts: 30, initial: '100ms', max: '400ms' },
    channels: {
      mail: { email: { smtp: { host: '127.0.0.1', port: smtp.port, starttls: 'off' }, from: 'kpid@example.net', to: ['noc@example.net', 'oncall@example.net'] } },
      sms: {
        sms: {
          smpp: { url: smsc.url, system_id: 'kpid', password: 's3cr3tpw', bind: 'transceiver', enquire_link: '1s', timeout: '2s', reconnect_initial: '50ms', reconnect_max: '200ms' },
          to: ['+8613800000001', '+8613800000002'],
        },
      },
      gateway: {
        sms: {
          http: { url: `${hook.url('/sms')}?to={{to}}`, headers: { 'content-type': 'application/json', authorization: 'Bearer gw-token-123' }, body: '{"to":"{{to}}","text":"{{text}}"}' },
          to: ['+8613800000003'],
        },
      },
      hook: { webhook: { url: hook.url('/alertmanager') } },
    },
    ...notify,
  }));
  const registry = new Registry();
  const metrics = defineNotifyMetrics(registry);
  const channels = buildChannels(cfg.channels, systemClock, log, metrics);
  const queue = new MemoryJobQueue(systemClock, { attempts: cfg.retry.attempts, backoff: cfg.retry });
  const n = new Notifier(cfg, queue, channels, systemClock, log, metrics);
  open.push(n);
  return { n, queue, registry, channels };
}

describe('alert delivery to real SMTP, SMSC and webhook servers', () => {
  it('a routed alert arrives on the right channels with the right content', async () => {
    const { n } = notifier({
      routes: [
        { match: { severity: 'critical' }, channels: ['sms', 'mail', 'hook'], group_wait: '0s', continue: true },
        { match: { site: 'beijing-dc1' }, channels: ['gateway'], group_wait: '0s' },
        { match: {}, channels: ['mail'] },
      ],
    });
    await n.start();
    const a = alert();
    await n.deliver(a);
    await waitFor(() => smtp.mails.length === 2 && smsc.submitted.length === 2 && hook.requests.length === 2, 10_000, 'all channels');

    // email: one per recipient, with what, where, since, value vs target, SLA clock and how to ack
    expect(smtp.mails.map((m) => m.to).sort()).toEqual([['noc@example.net'], ['oncall@example.net']]);
    const raw = smtp.mails[0]!.raw;
    // The subject reads whole once decoded (RFC 2047), and no raw header line is folded past 78 characters.
    const subject = decodedHeader(raw, 'Subject');
    expect(subject).toMatch(/^\[CRIT\] beijing-dc1\/msc-1 down 10m — VoiceCallDrops \(SLA (19|20)m left\)$/);
    expect(subject.length).toBeLessThanOrEqual(78);
    expect(rawHeaderLines(raw, 'Subject').every((l) => l.length <= 78)).toBe(true);
    expect(raw).toMatch(/Content-Type: text\/html/);
    const text = plainText(raw);
    expect(text).toContain('CRITICAL: beijing-dc1/msc-1 is down');
    expect(text).toContain('Where:  beijing-dc1/msc-1');
    expect(text).toContain('What:   call drop rate 1.23 % (target below 0.5 %)');
    expect(text).toMatch(/Since:  \d\d:\d\d:\d\d UTC, 10m ago \(first failed poll; alert fired \d\d:\d\d:\d\d UTC\)/);
    expect(text).toMatch(/SLA:    voice: 30 min to restore, by \d\d:\d\d:\d\d UTC \((19|20)m left\)/);
    expect(text).toContain(`curl -X POST -H "Authorization: Bearer $KPID_API_TOKEN" -d '{"by":"on-call"}' http://noc.example.net:9464/api/v1/alerts/${a.fingerprint}/ack`);

    // SMS over SMPP: short, severity first, to each number (E.164 without the plus, international TON)
    expect(smsc.submitted.map((s) => s.destination).sort()).toEqual(['8613800000001', '8613800000002']);
    expect(smsc.submitted[0]!.message).toMatch(new RegExp(`^CRIT beijing-dc1/msc-1 down since \\d\\d:\\d\\d:\\d\\dZ\\. .*SLA (19|20)m left.* Ack: http://noc.example.net:9464/api/v1/alerts/${a.fingerprint}/ack$`));
    expect(smsc.submitted[0]!.message.length).toBeLessThanOrEqual(160);

    // webhook: Alertmanager's format
    const am = hook.requests.find((r) => r.url === '/alertmanager')!;
    expect(am.headers['content-type']).toBe('application/json');
    const payload = JSON.parse(am.body);
    expect(payload).toMatchObject({
      version: '4',
      status: 'firing',
      receiver: 'route0',
      truncatedAlerts: 0,
      externalURL: 'http://noc.example.net:9464',
      commonLabels: { alertname: 'VoiceCallDrops', severity: 'critical', site: 'beijing-dc1' },
      alerts: [{ status: 'firing', fingerprint: a.fingerprint, endsAt: '0001-01-01T00:00:00Z', startsAt: new Date(a.startsAt).toISOString() }],
    });
    expect(payload.alerts[0].annotations).toMatchObject({ summary: 'Call drop rate above target', value: '0.0123', threshold: '0.005', sla_remaining_seconds: '1200' });

    // HTTP SMS gateway: method, URL, headers and body from the template, text JSON-escaped
    const gw = hook.requests.find((r) => r.url.startsWith('/sms'))!;
    expect(gw.method).toBe('POST');
    expect(gw.url).toBe('/sms?to=%2B8613800000003');
    expect(gw.headers.authorization).toBe('Bearer gw-token-123');
    expect(JSON.parse(gw.body)).toEqual({ to: '+8613800000003', text: smsc.submitted[0]!.message });
  });

  it('SMTP refusing with 4xx for a while, then accepting, gives exactly one delivery', async () => {
    const { n, registry } = notifier({ routes: [{ match: {}, channels: ['mail'], group_wait: '0s' }] });
    smtp.refuse(451);
    await n.start();
    await n.deliver(alert());
    await waitFor(() => smtp.refusals >= 6, 10_000, 'six refusals');
    smtp.accept();
    await waitFor(() => smtp.mails.length === 2, 10_000, 'delivery');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(smtp.mails.map((m) => m.to[0]).sort()).toEqual(['noc@example.net', 'oncall@example.net']);
    const metrics = await registry.getSingleMetricAsString('kpid_notifications_total');
    expect(metrics).toMatch(/channel="mail",result="sent"} 2/);
    expect(Number(/channel="mail",result="retry"} (\d+)/.exec(metrics)![1])).toBeGreaterThanOrEqual(6);
  });

  it('an SMTP 5xx is permanent: no retry, recorded in the dead letter', async () => {
    const { n, queue, registry } = notifier({ routes: [{ match: {}, channels: ['mail'], group_wait: '0s' }] });
    smtp.refusals = 0;
    smtp.refuse(550);
    await n.start();
    await n.deliver(alert());
    await waitFor(async () => (await queue.deadLetters()).length === 2, 10_000, 'dead letters');
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.refusals).toBe(2);
    expect((await queue.deadLetters())[0]!.error).toMatch(/550/);
    expect(await registry.getSingleMetricAsString('kpid_notify_dead_letters_total')).toMatch(/channel="mail"} 2/);
  });

  it('an SMSC that drops the bind gets a rebind and the unacknowledged message is resent', async () => {
    const { n, channels } = notifier({ routes: [{ match: {}, channels: ['sms'], group_wait: '0s' }] });
    const link = (channels.get('sms') as SmppChannel).link;
    await n.start();
    await n.deliver(alert());
    await waitFor(() => smsc.submitted.length === 2, 5_000, 'first SMS');
    expect(link.binds).toBe(1);
    smsc.swallowSubmits = true; // the SMSC takes the next submits but never answers them
    await n.deliver(alert({ labels: { alertname: 'VoiceCallDrops', site: 'beijing-dc1', target: 'msc-2' } }));
    await new Promise((r) => setTimeout(r, 300));
    expect(smsc.submitted).toHaveLength(2);
    smsc.swallowSubmits = false;
    smsc.dropSessions();
    await waitFor(() => smsc.submitted.length === 4, 5_000, 'resent SMS after rebind');
    expect(link.binds).toBe(2);
    expect(smsc.submitted.slice(2).every((s) => s.message.includes('beijing-dc1/msc-2'))).toBe(true);
    expect(smsc.binds.at(-1)).toEqual({ command: 'bind_transceiver', systemId: 'kpid' });
  });

  it('a long SMS goes as UDH-concatenated parts, and delivery receipts are recorded', async () => {
    const { n, channels, registry } = notifier({ routes: [{ match: {}, channels: ['sms'], group_wait: '0s' }] });
    await n.start();
    // A place name too long for one SMS: shortening never drops where, so it goes in parts.
    const long = 'Beijing-Shanghai backbone segment '.repeat(5).trim();
    await n.deliver(alert({ labels: { alertname: 'VoiceCallDrops', site: long, target: 'msc-1' } }));
    await waitFor(() => smsc.submitted.length >= 4, 5_000, 'parts');
    const toOne = smsc.submitted.filter((s) => s.destination === '8613800000001');
    expect(toOne.length).toBe(2);
    expect(toOne.every((s) => (s.esmClass & 0x40) === 0x40)).toBe(true);
    const headers = toOne.map((s) => [...s.udh!]);
    expect(headers[0]!.slice(0, 4)).toEqual([5, 0, 3, headers[0]![3]]);
    expect(headers.map((h) => h.slice(4))).toEqual([[2, 1], [2, 2]]);
    expect(toOne.map((s) => s.message).join('')).toContain(long.trim());
    const sms = channels.get('sms') as SmppChannel;
    await waitFor(() => sms.receipts.length >= 4, 5_000, 'receipts');
    expect(sms.receipts.map((r) => r.stat)).toContain('DELIVRD');
    expect(await registry.getSingleMetricAsString('kpid_sms_delivery_receipts_total')).toMatch(/channel="sms",stat="DELIVRD"} [4-9]/);
  });

  it('an SMTP password never appears in the log, errors, dead letters or metrics, while the refusal does', async () => {
    const authed = new TestSmtpServer();
    await authed.start({ auth: { user: 'kpid', password: 'right-password' } });
    // kpid's own JSON logger (redaction included) at debug level, written to a buffer instead of stdout.
    let logText = '';
    const log = createLogger('json', 'debug', { write: (line: string) => void (logText += line) });
    try {
      const { n, queue, registry } = notifier({
        channels: {
          mail: { email: { smtp: { host: '127.0.0.1', port: authed.port, starttls: 'off', auth: { user: 'kpid', password: 'Wr0ngPassw0rd!' } }, from: 'kpid@example.net', to: ['noc@example.net'] } },
        },
        routes: [{ match: {}, channels: ['mail'], group_wait: '0s' }],
      }, log);
      await n.start();
      await n.deliver(alert());
      await waitFor(async () => (await queue.deadLetters()).length === 1, 10_000, 'dead letter');
      const dead = JSON.stringify(await queue.deadLetters());
      expect(dead).toMatch(/535/);
      expect(dead).not.toContain('Wr0ngPassw0rd!');
      expect(await registry.metrics()).not.toContain('Wr0ngPassw0rd!');
      // The log says what went wrong (the server's 535), and never what the password was.
      const lines = logText.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.filter((l) => /535/.test(JSON.stringify(l))).length, logText).toBeGreaterThan(0);
      expect(logText).not.toContain('Wr0ngPassw0rd!');
    } finally {
      await authed.stop();
    }
  });

  it('a webhook answering 500 is retried; one answering 400 is not', async () => {
    const { n, queue } = notifier({ routes: [{ match: {}, channels: ['hook'], group_wait: '0s' }] });
    hook.status = 500;
    await n.start();
    await n.deliver(alert());
    await waitFor(() => hook.requests.length >= 3, 5_000, 'retries');
    hook.status = 200;
    const before = hook.requests.length;
    await waitFor(() => hook.requests.length === before + 1, 5_000, 'success');
    hook.status = 400;
    await n.deliver(alert());
    await waitFor(async () => (await queue.deadLetters()).length === 1, 5_000, 'dead letter');
    expect(hook.requests.length).toBe(before + 2);
  });
});
