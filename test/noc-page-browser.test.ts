import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, collectPageErrors, launchChromium } from './helpers/browser.js';
import { eventually, startKpid, type KpidProcess } from './helpers/kpid-process.js';
import { plainText, TestSmtpServer, type ReceivedMail, mailWithDutyEscalation } from './helpers/smtp.js';
import { startSnmpd, type FakeInterface, type Snmpd } from './helpers/snmpd.js';

/**
 * The status page in Debian's Chromium against a real kpid polling a real
 * snmpd. The test breaks two links; the page shows both outages with their
 * clocks; one is acked through the page's button, and the real SMTP server
 * then gets the duty manager's escalation mail for the other one only.
 * Screenshots (desk and wall, 1920x1080 and a 390x844 phone) go to
 * test/artifacts/ (gitignored); docs/noc-page.png is a copy of one.
 */
const TOKEN = 'noc-browser-token-0123456789';
/**
 * The escalation step's `after`: long enough to ack through a browser on a loaded machine first
 * (the ack waits for the page's next refresh and a tick of its clock: 4-5 s on a loaded machine, at most
 * about 9 s; the test checks it came first).
 */
const ESCALATE_AFTER_MS = 15_000;
/**
 * How long past the moment the acked outage's escalation would have arrived (as late as its twin's did)
 * the test still watches for it. The two links fail in one poll and their alerts wait out the same group_wait,
 * so their ladders start together: an escalation the ack failed to stop arrives beside the twin's.
 */
const WATCH_PAST_DUE_MS = 5_000;
/** The page polls every 5 s (noc.js POLL_MS). */
const POLL_MS = 5_000;

const up = (index: number, name: string, more: Partial<FakeInterface> = {}): FakeInterface =>
  ({ index, name, ifHighSpeed: 1000, inBytesPerSec: 12_500_000, outBytesPerSec: 5_000_000, inPktsPerSec: 2_000, outPktsPerSec: 1_500, ...more });
const UPLINK = up(1, 'Gi0/1', { alias: 'uplink-a' });
const BACKUP = up(2, 'Gi0/2', { alias: 'uplink-b' });
/** 85 Mbit/s in on a 100 Mbit/s port: a warning that fires and stays. */
const BUSY = up(3, 'Gi0/3', { alias: 'customer-7', ifHighSpeed: 100, inBytesPerSec: 10_625_000 });

/**
 * LinkDown with a short recovery clock (3m, warnings at 20s and 80s: the first passes while the test
 * watches the acked outage stay quiet) and a utilisation warning.
 */
const RULES = `
groups:
  - name: noc-page
    rules:
      - alert: LinkDown
        kpi: link_down
        level: critical
        select: { measurement: interface, fields: { admin_up: "= 1", monitored: "= 1" } }
        value: { field: oper_up }
        severity: critical
        annotations: { summary: "{{ $labels.target }} {{ $labels.interface }} is operationally down" }
        outage: { service: "{{ $labels.site }}/{{ $labels.target }}/{{ $labels.interface }}", recovery_target: 3m, warn_at: [20s, 80s] }
      - alert: InterfaceInUtilisationWarning
        kpi: bandwidth_utilisation
        level: warning
        select: { measurement: interface, fields: { monitored: "= 1" } }
        value: { field: in_utilization }
        severity: warning
        annotations: { summary: "{{ $labels.target }} {{ $labels.interface }} inbound at {{ $value | percent }}" }
`;

interface OutageView { id: string; service: string; state: string; alerts: string[]; acknowledged: { by: string } | null; sla: { remainingSeconds: number; met: boolean | null } }
interface AlertView { id: string; rule: string; labels: Record<string, string>; firedAt: string | null; acknowledged: { by: string } | null }

describe('the NOC status page in Chromium, against kpid polling a real snmpd', () => {
  let smtp: TestSmtpServer;
  let snmpd: Snmpd;
  let kpid: KpidProcess;
  let launching: Promise<Browser> | undefined;
  let browser: Browser;
  /** Every URL the pages asked for, and every console error (a CSP violation is one). */
  const requested: string[] = [];
  const consoleErrors: string[] = [];
  const api = async <T>(path: string): Promise<T> =>
    (await (await fetch(`${kpid.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as T;
  const outages = async () => (await api<{ outages: OutageView[] }>('/api/v1/outages')).outages;
  const about = (iface: string, to: string) => (m: ReceivedMail) => m.to.includes(to) && plainText(m.raw).includes(`core-1 ${iface}`);

  /** Opens the page at this size; enters the token once, as an operator does; waits for the first update. */
  async function open(query: string, viewport: { width: number; height: number }): Promise<Page> {
    const page = await browser.newPage({ viewport });
    page.on('request', (r) => requested.push(r.url()));
    // Before the token is entered the API answers 401; any other failed load is a fault.
    collectPageErrors(page, consoleErrors, [401]);
    await page.goto(`${kpid.url}/${query}`);
    await page.locator('#token-form').waitFor({ state: 'visible' });
    await page.locator('#token').fill(TOKEN);
    await page.locator('#token-form button').click();
    await page.locator('#updated', { hasText: /last update \d+ s ago/ }).waitFor();
    return page;
  }

  beforeAll(async () => {
    // Chromium starts while the rest does: nothing needs it until the test.
    launching = launchChromium();
    launching.catch(() => {}); // awaited below; afterAll closes it should the rest fail to start
    smtp = new TestSmtpServer();
    await smtp.start();
    snmpd = await startSnmpd({ interfaces: [UPLINK, BACKUP, BUSY] });
    const rules = join(mkdtempSync(join(tmpdir(), 'kpid-noc-rules-')), 'noc-page.yaml');
    writeFileSync(rules, RULES);
    kpid = await startKpid(`
server: { listen: "127.0.0.1:0", api_token: "\${KPID_API_TOKEN}" }
defaults: { interval: 2s, timeout: 1500ms }
rules: [ "${rules}" ]
${mailWithDutyEscalation(smtp.port, ESCALATE_AFTER_MS / 1000)}
targets:
  - name: core-1
    site: bj-dc1
    address: 127.0.0.1
    snmp: { community: public, port: ${snmpd.port}, modules: [system, interfaces] }
`, { KPID_API_TOKEN: TOKEN });
    browser = await launching;
  }, 120_000);

  afterAll(async () => {
    await (await launching?.catch(() => undefined))?.close();
    await kpid?.stop();
    await snmpd?.stop();
    await smtp?.stop();
  });

  it('shows new outages with their clocks within one refresh; the one acked on the page never escalates, the other does', async () => {
    const desk = await open('', { width: 1920, height: 1080 });
    await desk.locator('#outages', { hasText: 'No open outage.' }).waitFor();
    // The utilisation warning, grouped under its site and target, with its value and threshold.
    const busy = desk.locator('#alerts tr', { hasText: 'InterfaceInUtilisationWarning' });
    await busy.waitFor({ timeout: 30_000 });
    await expect.poll(() => desk.locator('#alerts .group h3').first().textContent()).toBe('bj-dc1 core-1');
    // The agent serves 85 %. kpid times a rate by its own poll instants, and a loaded snmpd's pass
    // script answers 0.1-0.2 s late now and then, which at a 2 s interval moves the rate by 5-10 %
    // (one run here read 95.1 %; test/snmp-snmpd.test.ts proves the rates against the agent's own
    // instants). So this checks what the page is for: the value beside its threshold, in percent.
    const [, shown] = (await busy.locator('td.num').textContent())!.match(/^(\d+(?:\.\d+)?) %threshold 80 %$/) ?? [];
    expect(Number(shown)).toBeGreaterThan(60);
    expect(Number(shown)).toBeLessThan(110);

    snmpd.serve([{ ...UPLINK, oper: 2 }, { ...BACKUP, oper: 2 }, BUSY]);
    const open2 = await eventually(async () => {
      const o = (await outages()).filter((x) => x.state === 'open');
      return o.length === 2 && o;
    }, 30_000, 200);
    // Within one refresh of the API knowing them (two polls' time, for a loaded machine).
    const card = desk.locator('article.outage', { hasText: 'Gi0/1' });
    await card.waitFor({ timeout: 2 * POLL_MS + 5_000 });
    await desk.locator('article.outage', { hasText: 'Gi0/2' }).waitFor({ timeout: 2 * POLL_MS + 5_000 });

    // The countdown runs between refreshes, agrees with kpid, and shows the rule's two warning marks.
    const seconds = async () => {
      const [m, s] = (await card.locator('.left').textContent())!.split(':').map(Number);
      return m! * 60 + s!;
    };
    const first = await seconds();
    const uplink = open2.find((o) => o.service.endsWith('Gi0/1'))!;
    expect(Math.abs(first - uplink.sla.remainingSeconds)).toBeLessThan(30);
    await expect.poll(seconds, { timeout: 10_000 }).toBeLessThan(first);
    expect(await card.locator('.mark').count()).toBe(2);
    expect(await card.locator('.marks').textContent()).toBe('target 3:00 · warnings at 0:20, 1:20');

    // Ack the Gi0/1 outage through its button, with a name and a comment.
    await card.locator('button.ack').click();
    await desk.locator('#ack-form [name=by]').fill('alice');
    await desk.locator('#ack-form [name=comment]').fill('field team on site');
    await desk.locator('#ack-confirm').click();
    await desk.locator('#ack-dialog').waitFor({ state: 'hidden' });
    const ackedAt = Date.now();
    await card.locator('.tag.ack', { hasText: 'acked by alice' }).waitFor({ timeout: 2 * POLL_MS + 5_000 });

    const alerts = (await api<{ alerts: AlertView[] }>('/api/v1/alerts')).alerts.filter((a) => a.rule === 'LinkDown');
    const uplinkAlert = alerts.find((a) => a.labels.interface === 'Gi0/1')!;
    const backupAlert = alerts.find((a) => a.labels.interface === 'Gi0/2')!;
    // The outage and its alert are both acked (the alert's ack is what stops its escalation ladder).
    expect((await outages()).find((o) => o.id === uplink.id)?.acknowledged?.by).toBe('alice');
    expect(uplinkAlert.acknowledged?.by).toBe('alice');
    expect(backupAlert.acknowledged).toBeNull();
    // The ack landed before the escalation was due, or this test would prove nothing.
    expect(ackedAt - Date.parse(uplinkAlert.firedAt!)).toBeLessThan(ESCALATE_AFTER_MS);

    // The un-acked twin reaches the duty manager: the ladder is real.
    const escalated = await eventually(() => smtp.mails.find(about('Gi0/2', 'duty@example.net')), 3 * ESCALATE_AFTER_MS, 50);
    const lateBy = escalated.at - (Date.parse(backupAlert.firedAt!) + ESCALATE_AFTER_MS);
    expect(lateBy).toBeGreaterThanOrEqual(-1_000);
    expect(smtp.mails.some(about('Gi0/1', 'noc@example.net'))).toBe(true);
    // Watch the acked one until past the moment its escalation would have arrived, as late after its
    // due time as the twin's did: nothing reaches the duty manager.
    const quietUntil = Date.parse(uplinkAlert.firedAt!) + ESCALATE_AFTER_MS + lateBy + WATCH_PAST_DUE_MS;
    await new Promise((r) => setTimeout(r, Math.max(0, quietUntil - Date.now())));
    expect(smtp.mails.filter(about('Gi0/1', 'duty@example.net'))).toEqual([]);

    // The uplink comes back: a restoration within target; the backup's clock runs on past its first warning.
    snmpd.serve([UPLINK, { ...BACKUP, oper: 2 }, BUSY]);
    await desk.locator('#restored tr', { hasText: 'Gi0/1' }).waitFor({ timeout: 30_000 });
    expect(await desk.locator('#restored tr', { hasText: 'Gi0/1' }).locator('.yes').textContent()).toBe('met');
    await expect.poll(() => desk.locator('article.outage', { hasText: 'Gi0/2' }).getAttribute('data-phase'), { timeout: 60_000 }).toMatch(/warn|late/);
    await desk.screenshot({ path: join(ARTIFACTS, 'noc-page-desk-1920x1080.png') });

    // No secret in any URL the page asked for, and nothing the CSP refused or the script threw.
    expect(requested.filter((u) => u.includes(TOKEN))).toEqual([]);
    expect(consoleErrors).toEqual([]);
  }, 300_000);

  it('silences a target from an alert\'s button, and expires the silence from the list', async () => {
    const desk = await open('', { width: 1280, height: 900 });
    desk.on('dialog', (d) => void d.accept());
    await desk.locator('#alerts tr', { hasText: 'InterfaceInUtilisationWarning' }).locator('button', { hasText: 'Silence' }).click();
    await desk.locator('#silence-dialog').waitFor();
    // The first choice is the alert's target; then the rule everywhere, and the rule on that target.
    expect(await desk.locator('#silence-scope label').allTextContents()).toEqual([
      ' target core-1', ' rule InterfaceInUtilisationWarning everywhere', ' rule InterfaceInUtilisationWarning on core-1',
    ]);
    await desk.locator('#silence-form [name=duration]').selectOption('2h');
    await desk.locator('#silence-form [name=createdBy]').fill('bob');
    await desk.locator('#silence-form [name=comment]').fill('line card swap');
    await desk.locator('#silence-confirm').click();
    const row = desk.locator('#silences tr', { hasText: 'target=core-1' });
    await row.waitFor({ timeout: 2 * POLL_MS + 5_000 });
    type Silences = { silences: Array<{ id: string; matchers: Record<string, string>; state: string; createdBy: string; comment?: string; startsAt: string; endsAt: string }> };
    const [made] = (await api<Silences>('/api/v1/silences')).silences;
    expect(made).toMatchObject({ matchers: { target: 'core-1' }, state: 'active', createdBy: 'bob', comment: 'line card swap' });
    expect(Date.parse(made!.endsAt) - Date.parse(made!.startsAt)).toBe(2 * 3600_000);

    await row.locator('button', { hasText: 'Expire' }).click();
    await row.waitFor({ state: 'detached', timeout: 2 * POLL_MS + 5_000 });
    const after = (await api<Silences>('/api/v1/silences')).silences.find((x) => x.id === made!.id);
    expect(after?.state ?? 'gone').not.toBe('active');
    expect(consoleErrors).toEqual([]);
  }, 60_000);

  it('wall mode: dark, large, no controls; and the phone at 390x844 (screenshots kept)', async () => {
    const wall = await open('?wall=1', { width: 1920, height: 1080 });
    await wall.locator('article.outage', { hasText: 'Gi0/2' }).waitFor();
    expect(await wall.locator('button:visible').count()).toBe(0);
    // (expressions run in the page: this project's TypeScript has no DOM types)
    expect(await wall.evaluate('getComputedStyle(document.body).backgroundColor')).toBe('rgb(11, 15, 20)');
    const clockPx = Number(await wall.evaluate("parseFloat(getComputedStyle(document.querySelector('article.outage .left')).fontSize)"));
    expect(clockPx).toBeGreaterThanOrEqual(64);
    await wall.screenshot({ path: join(ARTIFACTS, 'noc-page-wall-1920x1080.png') });

    for (const query of ['', '?wall=1']) {
      const phone = await open(query, { width: 390, height: 844 });
      await phone.locator('article.outage', { hasText: 'Gi0/2' }).waitFor();
      // Nothing sticks out sideways on a phone.
      expect(await phone.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      await phone.screenshot({ path: join(ARTIFACTS, `noc-page-${query ? 'wall' : 'desk'}-390x844.png`) });
    }
    expect(consoleErrors).toEqual([]);
  }, 120_000);

  it('says so when kpid is not reachable', async () => {
    const page = await open('', { width: 1280, height: 800 });
    await kpid.stop();
    await page.locator('#banner', { hasText: 'kpid is not reachable' }).waitFor({ timeout: 3 * POLL_MS });
    expect(await page.locator('#updated').textContent()).toMatch(/last update \d+ s ago/);
  }, 60_000);
});
