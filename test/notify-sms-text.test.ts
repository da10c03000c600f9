import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/logger.js';
import { smppOptions } from '../src/notify/notify-options.js';
import { notifySchema } from '../src/config/sections/notify.js';
import type { Notification } from '../src/core/alert.js';
import { SmppChannel } from '../src/notify/channels/sms-smpp.js';
import { DATA_CODING_GSM, DATA_CODING_UCS2 } from '../src/notify/channels/sms-parts.js';
import { render } from '../src/notify/render.js';
import { ACK_CODES, chineseSite, deviceDown, FIRED_AT, HOST_ONLY, longNames, PUBLIC, SMS_MESSAGES } from './helpers/message-fixtures.js';
import { TestSmsc } from './helpers/smsc.js';

/**
 * The SMS an on-call phone receives, sent through the SMPP channel's real
 * encoding and splitting to a real SMSC (the `smpp` package's server), which
 * counts the submit_sm PDUs, i.e. the segments the phone gets.
 */
const smsc = new TestSmsc({ systemId: 'kpid', password: 'sms-pw' });
let channel: SmppChannel;

beforeAll(async () => {
  await smsc.start();
  const cfg = smppOptions(notifySchema.parse({
    channels: { sms: { sms: { smpp: { url: smsc.url, system_id: 'kpid', password: 'sms-pw' }, to: ['+8613800000001'] } } },
  }).channels.sms!.sms!.smpp!);
  channel = new SmppChannel('sms', cfg, ['+8613800000001'], systemClock, silentLogger());
});
afterAll(async () => {
  await channel?.close();
  await smsc.stop();
});

const smsOf = (alerts: Notification[], now = FIRED_AT) =>
  render({ receiver: 'r', groupKey: 'g', groupLabels: {}, alerts, repeat: 0 }, { links: HOST_ONLY, now }).sms;

async function sendAndCount(text: string): Promise<{ segments: number; dataCoding: number; received: string }> {
  const before = smsc.submitted.length;
  await channel.send({ subject: '', text: '', html: '', sms: text, webhook: {} }, '+8613800000001');
  const got = smsc.submitted.slice(before);
  return { segments: got.length, dataCoding: got[0]!.dataCoding, received: got.map((s) => s.message).join('') };
}

describe('an SMS is one segment in either alphabet', () => {
  it.each([
    ['a device down, GSM-7', 'sms-gsm7', DATA_CODING_GSM],
    ['a device down with the public ack link, GSM-7', 'sms-gsm7-public-url', DATA_CODING_GSM],
    ['a site named in Chinese forces UCS-2, and still one segment', 'sms-ucs2', DATA_CODING_UCS2],
    ['a group of three link alerts', 'sms-group', DATA_CODING_GSM],
    ['an SLA warning', 'sms-sla-warning', DATA_CODING_GSM],
    ['long site, target and rule names with the one-tap ack link', 'sms-long-names-link', DATA_CODING_GSM],
  ])('%s', async (_what, name, coding) => {
    const m = SMS_MESSAGES[name]!;
    const text = render(m.batch, { links: m.links, now: m.now }).sms;
    const sent = await sendAndCount(text);
    expect(sent).toMatchObject({ segments: 1, dataCoding: coding });
    // Severity, where, since, SLA time left and the ack code survive any shortening.
    expect(sent.received).toMatch(/^(CRIT|WARN) \S+ (down|out of target) since \d\d:\d\d(:\d\d)?Z\./);
    expect(sent.received).toMatch(/Ack:? \S+$/);
    if (m.batch.alerts[0]!.outage) expect(sent.received).toMatch(/SLA \d+m left/);
  });

  it('an SMS that cannot be shortened enough still arrives whole, as a concatenated UCS-2 message', async () => {
    const site = '北京市朝阳区第三数据中心核心机房东区二号楼';
    const text = smsOf([{ ...chineseSite, labels: { ...chineseSite.labels, site } }]);
    expect(text).toContain(site);
    const sent = await sendAndCount(text);
    expect(sent).toMatchObject({ segments: 2, dataCoding: DATA_CODING_UCS2, received: text });
  });
});

describe('the one-tap ack link arrives whole in one GSM-7 segment, however long the names', () => {
  const LINK = /Ack: (https:\/\/kpid\.noc\.example\.net\/a\/([A-Za-z0-9_-]+))$/;

  it.each([
    ['a long target', { target: `core-router-${'x'.repeat(120)}.example.net` }],
    ['a long site and target', { site: 'site-'.repeat(30), target: 'router-'.repeat(30) }],
    ['a long rule name', { alertname: 'Rule'.repeat(60) }],
    ['a long interface', { interface: `TenGigabitEthernet${'1/'.repeat(60)}1` }],
  ])('%s: the place is cut short, the link is not', async (_what, labels) => {
    const text = render({ receiver: 'r', groupKey: 'g', groupLabels: {}, alerts: [{ ...longNames, labels: { ...longNames.labels, ...labels } }], repeat: 0 },
      { links: PUBLIC, now: FIRED_AT }).sms;
    const sent = await sendAndCount(text);
    expect(sent).toMatchObject({ segments: 1, dataCoding: DATA_CODING_GSM, received: text });
    // The link taken from the SMS as received is a valid code for this very alert.
    const code = LINK.exec(sent.received)?.[2];
    expect(code, sent.received).toBeDefined();
    expect(ACK_CODES.verify(code!)).toMatchObject({ ok: true, id: longNames.fingerprint, action: 'ack' });
    // Still says how bad, where (the start of it) and since when.
    expect(sent.received).toMatch(/^CRIT \S+\.\.\S* down since 02:49Z\. /);
  });
});

describe('a long SMS is shortened in the stated order, never mid-word', () => {
  // Sites of growing length push the text past the budget one piece at a time.
  const cases = (word: string) => Array.from({ length: 40 }, (_, i) => word.repeat(i + 1));
  const RULE = 'DeviceUnreachable';
  const VALUE = 'not answering SNMP or ping (3 misses).';
  // 70 UCS-2 characters never hold the value: a Chinese site goes straight to the shortest form.
  const STAGES = ['RV', '-V', '--'];

  for (const [alphabet, word] of [['GSM-7', 'north-'], ['UCS-2', '北']] as const) {
    it(`${alphabet}: the rule name goes first, then the value; every word left is whole`, () => {
      const seen: string[] = [];
      for (const site of cases(word)) {
        const base = alphabet === 'GSM-7' ? deviceDown : chineseSite;
        const text = smsOf([{ ...base, labels: { ...base.labels, site } }]);
        const hasRule = text.includes(RULE);
        const hasValue = text.includes(VALUE);
        // The value is never kept at the expense of the rule name (the rule goes first).
        expect(hasValue || !hasRule, text).toBe(true);
        seen.push(`${hasRule ? 'R' : '-'}${hasValue ? 'V' : '-'}`);
        // Never cut mid-word: each word is one the full text has (the since time may lose its seconds).
        const full = new Set(`${site}/${base.labels.target} CRIT down since 02:49:15Z 02:49Z. ${RULE}: ${VALUE} SLA 29m left (by 03:19). Ack ${base.fingerprint}`.split(' '));
        for (const w of text.split(' ')) expect(full.has(w) || full.has(w.replace(/\.$/, '')), `"${w}" in ${text}`).toBe(true);
      }
      // As the site grows the text only ever loses pieces, in order: rule and value, the value alone, neither.
      const order = [...new Set(seen)];
      expect(seen).toEqual([...seen].sort((a, b) => STAGES.indexOf(a) - STAGES.indexOf(b)));
      expect(order).toEqual(alphabet === 'GSM-7' ? STAGES : ['--']);
    });
  }
});
