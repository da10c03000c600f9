import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeTcpPort } from '../src/demo/free-ports.js';
import { ARTIFACTS, collectPageErrors, launchChromium } from './helpers/browser.js';
import { eventually, startKpid, type KpidProcess } from './helpers/kpid-process.js';
import { htmlPart, plainText, TestSmtpServer, type ReceivedMail, mailWithDutyEscalation } from './helpers/smtp.js';

const TOKEN = 'ack-link-browser-token-0123456789';
const RULES = resolve(import.meta.dirname, '../alert-rules/*.yaml');
/**
 * The escalation step's `after`: time enough to open the mail's link in Chromium and press the button
 * first, on a loaded machine (3-7 s at a load of 13 on two cores; the test checks the ack did come first).
 */
const ESCALATE_AFTER_MS = 12_000;
/**
 * How long past the moment the acked alert's escalation would have arrived (as late as its twin's did)
 * the test still watches for it. Both twins fire in one evaluation and wait out the same group_wait, so
 * their ladders start together: an escalation the ack failed to stop arrives beside the twin's.
 */
const WATCH_PAST_DUE_MS = 3_000;
const PHONE = { width: 390, height: 844 };

type Alert = { id: string; rule: string; labels: Record<string, string>; firedAt: string; acknowledged: { by: string; at: string } | null };

/**
 * The one-tap ack link in Debian's Chromium, the way an on-call engineer
 * uses it at 3 a.m.: two twin alerts fire on the real daemon, whose
 * server.public_url is its own address; the link is taken out of the real
 * email's HTML (the href a mail app opens) and opened in the browser at a
 * phone's size. The confirm page acks nothing; its button does; the duty
 * manager never gets that alert's escalation, while the untouched twin's
 * arrives. A screenshot of the confirm page goes to test/artifacts/.
 */
describe('a link from a real alert email, followed in Chromium, acks the alert', () => {
  const smtp = new TestSmtpServer();
  let kpid: KpidProcess;
  let launching: Promise<Browser> | undefined;
  let browser: Browser;
  const pageErrors: string[] = [];
  const alerts = async () => ((await (await fetch(`${kpid.url}/api/v1/alerts`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { alerts: Alert[] }).alerts;
  /** A mail to `to` about the alert in that scope (its place, `<scope>-pop/edge-<scope>`). */
  const about = (scope: string, to: string) => (m: ReceivedMail) => m.to.includes(to) && plainText(m.raw).includes(`${scope}-pop/edge-${scope}`);

  beforeAll(async () => {
    // Chromium starts while kpid does: neither needs the other until the test.
    launching = launchChromium();
    launching.catch(() => {}); // awaited below; afterAll closes it should kpid fail to start
    await smtp.start();
    kpid = await startOnOwnPublicUrl((url) => `
server: { listen: "${url.slice('http://'.length)}", api_token: "\${KPID_API_TOKEN}", public_url: "${url}" }
rules: [ "${RULES}" ]
${mailWithDutyEscalation(smtp.port, ESCALATE_AFTER_MS / 1000)}
allow_empty_targets: true
targets: []
`);
    browser = await launching;
  }, 120_000);

  afterAll(async () => {
    await (await launching?.catch(() => undefined))?.close();
    await kpid?.stop();
    await smtp.stop();
  });

  it('the confirm page shows the alert and acks nothing; its button acks; no escalation; the link again says already acknowledged', async () => {
    const pushed = await fetch(`${kpid.url}/api/v1/ingest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(['east', 'west'].map((scope) =>
        ({ measurement: 'kpi', tags: { kpi: 'network_coverage', scope, site: `${scope}-pop`, target: `edge-${scope}` }, fields: { value: 0.95 } }))),
    });
    expect(pushed.status).toBe(200);

    // The href a mail app opens, out of the email's HTML part: kpid's own address.
    const mail = await eventually(() => smtp.mails.find(about('east', 'noc@example.net')), 15_000, 50);
    const html = htmlPart(mail.raw);
    expect(html, mail.raw).toBeDefined();
    const link = new RegExp(`href="(${kpid.url}/a/[A-Za-z0-9_-]+)"`).exec(html!)?.[1];
    expect(link, html).toBeDefined();
    const east = (await alerts()).find((a) => a.labels.scope === 'east')!;

    const phone: Page = await browser.newPage({ viewport: PHONE });
    collectPageErrors(phone, pageErrors);
    const opened = await phone.goto(link!);
    expect(opened?.status()).toBe(200);
    await phone.locator('h1', { hasText: 'Acknowledge this alert?' }).waitFor();
    const facts = await phone.locator('table').innerText();
    expect(facts).toContain('east-pop/edge-east');
    expect(facts).toContain('NetworkCoverageLow');
    expect(facts).toContain(east.firedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'));
    // Opening the link is what a mail scanner does: nothing is acked.
    expect((await alerts()).find((a) => a.id === east.id)!.acknowledged).toBeNull();
    // Its style is allowed by the CSP's hash: a refused one shows here first, as the console error it is.
    expect(pageErrors).toEqual([]);
    // Read on a phone: nothing sticks out sideways, the button is a thumb's size.
    expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    const button = (await phone.locator('button').boundingBox())!;
    expect(button.height).toBeGreaterThanOrEqual(44);
    expect(button.y + button.height).toBeLessThanOrEqual(PHONE.height);
    await phone.screenshot({ path: join(ARTIFACTS, 'ack-link-confirm-390x844.png'), fullPage: true });

    await phone.locator('input[name=by]').fill('alice');
    await phone.locator('button', { hasText: 'Acknowledge' }).click();
    await phone.locator('h1', { hasText: /^Acknowledged$/ }).waitFor();
    const ackedAt = Date.now();
    expect(await phone.locator('main').innerText()).toMatch(/By alice at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\. The escalation is stopped\./);
    await phone.screenshot({ path: join(ARTIFACTS, 'ack-link-acked-390x844.png'), fullPage: true });
    expect((await alerts()).find((a) => a.id === east.id)!.acknowledged?.by).toBe('alice');
    expect((await alerts()).find((a) => a.labels.scope === 'west')!.acknowledged).toBeNull();
    // The ack landed before the escalation was due, or the silence below would prove nothing.
    expect(ackedAt - Date.parse(east.firedAt)).toBeLessThan(ESCALATE_AFTER_MS);

    // The same link again, from the mail: a clear page and no button.
    await phone.goto(link!);
    await phone.locator('h1', { hasText: /^Already acknowledged$/ }).waitFor();
    expect(await phone.locator('main > p').first().innerText()).toMatch(/^By alice at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\. Nothing more to do/);
    await phone.screenshot({ path: join(ARTIFACTS, 'ack-link-again-390x844.png'), fullPage: true });
    expect(await phone.locator('button').count()).toBe(0);

    // The untouched twin reaches the duty manager (the ladder is real); east never does, watched until
    // past the moment its escalation would have arrived, as late after its due time as the twin's did.
    const west = (await alerts()).find((a) => a.labels.scope === 'west')!;
    const escalated = await eventually(() => smtp.mails.find(about('west', 'duty@example.net')), 3 * ESCALATE_AFTER_MS, 50);
    const lateBy = escalated.at - (Date.parse(west.firedAt) + ESCALATE_AFTER_MS);
    expect(lateBy, 'the twin escalated before its delay').toBeGreaterThanOrEqual(-1_000);
    const quietUntil = Date.parse(east.firedAt) + ESCALATE_AFTER_MS + lateBy + WATCH_PAST_DUE_MS;
    await new Promise((r) => setTimeout(r, Math.max(0, quietUntil - Date.now())));
    expect(smtp.mails.filter(about('east', 'duty@example.net'))).toEqual([]);

    // No console error, no CSP violation, no failed load, no script error on any of the pages.
    expect(pageErrors).toEqual([]);
  }, 180_000);
});

/**
 * kpid with server.public_url set to its own address, so the links in its
 * mail open on it directly. The port is picked before kpid starts; should
 * another test take it meanwhile, kpid cannot listen and a new one is picked.
 */
async function startOnOwnPublicUrl(config: (url: string) => string): Promise<KpidProcess> {
  for (let attempt = 1; ; attempt++) {
    const url = `http://127.0.0.1:${await freeTcpPort()}`;
    try {
      return await startKpid(config(url), { KPID_API_TOKEN: TOKEN });
    } catch (err) {
      if (attempt >= 3 || !String(err).includes('EADDRINUSE')) throw err;
    }
  }
}
