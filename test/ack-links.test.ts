import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startKpid, type KpidProcess } from './helpers/kpid-process.js';
import { TestSmsc } from './helpers/smsc.js';
import { plainText, TestSmtpServer, type ReceivedMail } from './helpers/smtp.js';

const TOKEN = 'ack-links-token-0123456789';
const RULES = resolve(import.meta.dirname, '../alert-rules/*.yaml');
/** Where the links point: a reverse proxy's name in front of kpid; the test maps it to kpid's real address. */
const PUBLIC_URL = 'https://kpid.noc.example.net';
/** The escalation step's `after`: the link must ack before it. */
const ESCALATE_AFTER_MS = 4_000;
/** server.ack_links.ttl: long enough to ack and retry, short enough to see expire. */
const TTL_MS = 8_000;
/** The place of the north alert is long, so its SMS must cut it short to keep the link whole. */
const LONG_SITE = 'frankfurt-interxion-fra6-building-b-floor-3';
const LONG_TARGET = 'core-router-01.backbone.noc.example.net';

type Alerts = { alerts: Array<{ id: string; labels: Record<string, string>; firedAt: string; acknowledged: { by: string; at: string } | null }> };

/**
 * The one-tap ack link end to end, with the real daemon, a real SMTP server
 * and a real SMSC: two twin alerts fire on a route with a 4 s escalation.
 * The link is taken from the north alert's real email; opening it (GET) acks
 * nothing, the confirm button (POST) acks, and the duty manager never gets
 * north's escalation, while the un-acked south twin is escalated. Reused,
 * forged, cross-site and expired codes each get their page.
 */
describe('one-tap ack links from the email and the SMS', () => {
  let kpid: KpidProcess;
  const smtp = new TestSmtpServer();
  const smsc = new TestSmsc({ systemId: 'kpid', password: 'sms-pw-1' });
  const api = async (path: string) => (await fetch(`${kpid.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
  const about = (region: string, to: string) => (m: ReceivedMail) => m.to.includes(to) && plainText(m.raw).includes(region);
  /** The link's path on kpid itself: the public URL is the proxy's. */
  const local = (link: string) => `${kpid.url}${link.slice(PUBLIC_URL.length)}`;
  const open = (link: string, init: RequestInit = {}) => fetch(local(link), { redirect: 'manual', ...init });
  const confirm = (link: string, headers: Record<string, string> = {}) =>
    open(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: 'by=alice' });
  const linkIn = (mail: ReceivedMail) => /Ack: +(https:\/\/kpid\.noc\.example\.net\/a\/[A-Za-z0-9_-]+)/.exec(plainText(mail.raw))?.[1];

  beforeAll(async () => {
    await Promise.all([smtp.start(), smsc.start()]);
    const mail = (to: string) => `{ email: { smtp: { host: 127.0.0.1, port: ${smtp.port}, secure: false }, from: kpid@example.net, to: [${to}] } }`;
    kpid = await startKpid(`
server: { listen: "127.0.0.1:0", api_token: "\${KPID_API_TOKEN}", public_url: "${PUBLIC_URL}", ack_links: { ttl: ${TTL_MS / 1000}s } }
rules: [ "${RULES}" ]
notify:
  channels:
    noc-mail: ${mail('noc@example.net')}
    duty-mail: ${mail('duty@example.net')}
    noc-sms: { sms: { smpp: { url: "${smsc.url}", system_id: kpid, password: sms-pw-1 }, to: ["+4915100000001"] } }
  routes: [ { match: {}, channels: [noc-mail, noc-sms], group_wait: 200ms, escalation: duty } ]
  escalations:
    duty: { steps: [ { after: ${ESCALATE_AFTER_MS / 1000}s, channels: [duty-mail] } ] }
allow_empty_targets: true
targets: []
`, { KPID_API_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await kpid?.stop();
    await Promise.all([smtp.stop(), smsc.stop()]);
  });

  it('GET shows the alert and acks nothing; POST acks once and stops the escalation; reused, forged, cross-site and expired codes are refused', async () => {
    const pushed = await fetch(`${kpid.url}/api/v1/ingest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify([
        { measurement: 'kpi', tags: { kpi: 'network_coverage', scope: 'north', site: LONG_SITE, target: LONG_TARGET }, fields: { value: 0.95 } },
        { measurement: 'kpi', tags: { kpi: 'network_coverage', scope: 'south' }, fields: { value: 0.95 } },
      ]),
    });
    expect(pushed.status).toBe(200);
    const northMail = await eventually(() => smtp.mails.find(about('north', 'noc@example.net')), 10_000, 20);
    const link = linkIn(northMail)!;
    expect(link, plainText(northMail.raw)).toBeDefined();
    const north = ((await api('/api/v1/alerts')) as Alerts).alerts.find((a) => a.labels.scope === 'north')!;

    // Opening the link (what a mail scanner does) shows the alert and the button, and acks nothing.
    const page = await open(link);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Acknowledge this alert?');
    expect(html).toContain(`${LONG_SITE}/${LONG_TARGET}`);
    expect(html).toContain('NetworkCoverageLow');
    // Times read as a person reads them, to the second: 2026-12-02 02:49:44 UTC.
    expect(html).toContain(north.firedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'));
    expect(html).toMatch(/<form method="post">[\s\S]*<button type="submit">Acknowledge<\/button>/);
    expect(html).not.toMatch(/<script/i);
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; form-action 'self'; frame-ancestors 'none'/);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(((await api('/api/v1/alerts')) as Alerts).alerts.find((a) => a.id === north.id)!.acknowledged).toBeNull();

    // A form another site posts is refused, code or not; nothing is acked.
    expect((await confirm(link, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await confirm(link, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);

    // The button: acked, by the name typed, with no API token; before the escalation was due.
    const acked = await confirm(link, { origin: PUBLIC_URL, 'sec-fetch-site': 'same-origin' });
    expect(acked.status).toBe(200);
    expect(await acked.text()).toMatch(/Acknowledged[\s\S]*By alice at/);
    expect(Date.now() - Date.parse(north.firedAt)).toBeLessThan(ESCALATE_AFTER_MS);
    expect(((await api('/api/v1/alerts')) as Alerts).alerts.find((a) => a.id === north.id)!.acknowledged?.by).toBe('alice');

    // The same link again: a clear page, not a second ack.
    const again = await confirm(link);
    expect(again.status).toBe(409);
    expect(await again.text()).toMatch(/Already acknowledged[\s\S]*By alice at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\./);

    // A forged code (one character changed, or cut short) is refused and says why.
    const code = link.slice(link.lastIndexOf('/') + 1);
    const forged = `${PUBLIC_URL}/a/${code.slice(0, 10)}${code[10] === 'A' ? 'B' : 'A'}${code.slice(11)}`;
    for (const bad of [forged, `${PUBLIC_URL}/a/${code.slice(0, -2)}`]) {
      for (const method of ['GET', 'POST']) {
        const r = await open(bad, { method });
        expect(r.status, `${method} ${bad}`).toBe(403);
        expect(await r.text()).toContain('This link is not valid');
      }
    }

    // The SMS carries the same kind of link, whole, in one GSM-7 segment: the long place is cut instead.
    const sms = await eventually(() => smsc.submitted.find((s) => s.message.includes('/a/') && s.message.includes('frankfurt')), 10_000, 20);
    expect(smsc.submitted.filter((s) => s.message.includes('frankfurt'))).toHaveLength(1);
    expect(sms.dataCoding).toBe(0);
    expect(sms.message.length).toBeLessThanOrEqual(160);
    expect(sms.message).toMatch(/^WARN \S+\.\.\S* out of target since \d\d:\d\d(:\d\d)?Z\. .*Ack: https:\/\/kpid\.noc\.example\.net\/a\/[A-Za-z0-9_-]{31}$/);
    const smsLink = /Ack: (\S+)$/.exec(sms.message)![1]!;
    expect((await confirm(smsLink)).status).toBe(409);

    // The un-acked twin is escalated after its delay; north never is, watched for three delays.
    await eventually(() => smtp.mails.find(about('south', 'duty@example.net')), 3 * ESCALATE_AFTER_MS, 50);
    const quietUntil = northMail.at + 3 * ESCALATE_AFTER_MS;
    await new Promise((r) => setTimeout(r, Math.max(0, quietUntil - Date.now())));
    expect(smtp.mails.filter(about('north', 'duty@example.net'))).toEqual([]);

    // The south link is never used, and expires after the ttl: GET and POST both say so, and nothing is acked.
    const southLink = linkIn(smtp.mails.find(about('south', 'noc@example.net'))!)!;
    const expired = await eventually(async () => {
      const r = await open(southLink);
      return r.status === 410 && r;
    }, 3 * TTL_MS, 250);
    expect(await expired.text()).toMatch(/This link has expired[\s\S]*It worked until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\./);
    expect((await confirm(southLink)).status).toBe(410);
    expect(((await api('/api/v1/alerts')) as Alerts).alerts.find((a) => a.labels.scope === 'south')!.acknowledged).toBeNull();

    // No code ever reaches kpid's log.
    expect(JSON.stringify(kpid.logs)).not.toContain(code);
  }, 60_000);
});
