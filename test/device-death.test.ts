import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startKpid, type KpidProcess } from './helpers/kpid-process.js';
import { plainText, TestSmtpServer } from './helpers/smtp.js';
import { startSnmpd, type Snmpd } from './helpers/snmpd.js';

const TOKEN = 'device-death-token-0123456789';
const RULES = resolve(import.meta.dirname, '../alert-rules/*.yaml');
const INTERVAL = 5_000;

/**
 * A real kpid polls a real snmpd every 5 s (timeout 1 s, no retries) with the
 * shipped rules and mails a real SMTP server. The snmpd process is killed:
 * the page must come from the first poll after the death, not three polls later.
 */
describe('a device that dies is paged from the first poll that finds it silent', () => {
  const smtp = new TestSmtpServer();
  let snmpd: Snmpd;
  let kpid: KpidProcess;
  const api = async (path: string) => (await fetch(`${kpid.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
  const skippedPolls = async () => (await kpid.metrics()).split('\n')
    .filter((l) => l.startsWith('kpid_scheduler_skipped_polls_total'))
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);

  beforeAll(async () => {
    await smtp.start();
    snmpd = await startSnmpd({ interfaces: [{ index: 1, name: 'ge-0/0/1', alias: 'uplink', inBytesPerSec: 1000, inPktsPerSec: 10 }] });
    kpid = await startKpid(`
server: { listen: "127.0.0.1:0", api_token: "\${KPID_API_TOKEN}" }
defaults: { interval: 5s, timeout: 1s }
rules: [ "${RULES}" ]
notify:
  channels:
    noc-mail: { email: { smtp: { host: 127.0.0.1, port: ${smtp.port}, secure: false }, from: kpid@example.net, to: [noc@example.net] } }
  routes: [ { match: {}, channels: [noc-mail], group_wait: 1s } ]
targets:
  - { name: edge-1, site: dc1, address: 127.0.0.1, snmp: { community: public, port: ${snmpd.port}, timeout: 1s, retries: 0, modules: [system, interfaces] } }
`, { KPID_API_TOKEN: TOKEN });
  }, 60_000);
  afterAll(async () => {
    await kpid?.stop();
    await snmpd?.stop();
    await smtp.stop();
  });

  it('mails DeviceUnreachable within two polls of the kill, with the outage started at the first unanswered attempt, and skips no poll', async () => {
    // Two answered polls first, so the death is a change kpid has to notice.
    await eventually(async () => /kpid_interface_oper_up\{[^}]*target="edge-1"[^}]*\} 1/.test(await kpid.metrics()), 20_000);
    await new Promise((r) => setTimeout(r, INTERVAL));
    expect(smtp.mails).toHaveLength(0);

    const killedAt = Date.now();
    process.kill(Number(readFileSync(join(snmpd.dir, 'pid'), 'utf8').trim()), 'SIGKILL');
    const mail = await eventually(() => smtp.mails.find((m) => /DeviceUnreachable/.test(m.raw)), 40_000, 50);

    // Poll phase (< 5 s) + three attempts inside the poll's 4.5 s budget + group_wait 1 s ≈ 10.5 s at worst;
    // before this change it was 30 s. Generous slack for a loaded machine, still far from three polls.
    expect(mail.at - killedAt).toBeLessThan(2 * INTERVAL + 6_000);
    const { outages } = (await api('/api/v1/outages')) as { outages: Array<{ service: string; startedAt: string; detectedAt: string }> };
    const outage = outages.find((o) => o.service === 'dc1/edge-1')!;
    expect(outage).toBeDefined();
    const startedAt = Date.parse(outage.startedAt);
    // The first attempt that got no answer was sent within one poll of the kill (or was in flight,
    // at most its 1 s timeout earlier, when the agent died).
    expect(startedAt).toBeGreaterThanOrEqual(killedAt - 1_000);
    expect(startedAt - killedAt).toBeLessThan(INTERVAL + 1_000);
    // Detected when that same poll's last re-poll timed out: after the outage began, before the mail.
    expect(Date.parse(outage.detectedAt)).toBeGreaterThan(startedAt);
    expect(Date.parse(outage.detectedAt)).toBeLessThanOrEqual(mail.at);
    // The page says since when the device has been down (the true start), not when the alert fired.
    expect(plainText(mail.raw)).toContain(`Since:  ${new Date(startedAt).toISOString().slice(11, 19)} UTC`);

    // Two more polls of the dead device: each ends inside its interval, none is skipped.
    await new Promise((r) => setTimeout(r, 2 * INTERVAL));
    expect(await skippedPolls()).toBe(0);
    expect(smtp.mails.filter((m) => /DeviceUnreachable/.test(m.raw))).toHaveLength(1);
  }, 90_000);
});
