import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInfluxd, type Influxd } from './helpers/influxd.js';
import { eventually, startKpid, type KpidProcess } from './helpers/kpid-process.js';
import { TestSmsc } from './helpers/smsc.js';
import { TestSmtpServer } from './helpers/smtp.js';

const RULES = fileURLToPath(new URL('./fixtures/rules/sip-down.yaml', import.meta.url));

const OLD_NUMBER = '+8613800000001';
const NEW_NUMBER = '+8613900000002';

interface Setup {
  readonly smtpPort: number;
  readonly oncall: string;
  /** Of the raw points, in storage.influx. */
  readonly retention: string;
}

/**
 * Issue 14 §11: an operator changes the SMTP server, the on-call number and
 * the InfluxDB retention, and reloads. Real SMTP servers, a real SMSC, a
 * real influxd and kpid as it ships (dist/cli.js).
 */
describe('notify and storage settings apply at reload, and nothing in flight is lost or sent twice', () => {
  const mailA = new TestSmtpServer();
  const mailB = new TestSmtpServer();
  const smsc = new TestSmsc();
  let influxd: Influxd;
  let kpid: KpidProcess;
  let dir: string;
  const db = `kpid_reload_${process.pid}`;

  const config = (s: Setup) => `server:
  listen: "127.0.0.1:0"
allow_empty_targets: true
rules: [ "${RULES}" ]
storage:
  influx: { url: "${influxd.url}", database: ${db}, retention: ${s.retention}, flush_interval: 200ms, spool: { dir: "${join(dir, 'spool')}" } }
notify:
  retry: { attempts: 10, initial: 200ms, max: 1s }
  channels:
    noc-mail: { email: { smtp: { host: 127.0.0.1, port: ${s.smtpPort}, secure: false, timeout: 120s }, from: kpid@example.net, to: [noc@example.net] } }
    oncall: { sms: { smpp: { url: "smpp://127.0.0.1:${smsc.port}", system_id: kpid, password: secret }, to: ["${s.oncall}"] } }
  routes: [ { match: {}, channels: [noc-mail, oncall], group_wait: 100ms, group_interval: 500ms } ]
`;
  const fire = async (site: string) => {
    const res = await fetch(`${kpid.url}/api/v1/ingest`, { method: 'POST', body: `probe,probe=sip,site=${site},target=edge-${site} success=0\n` });
    expect(res.status).toBe(200);
  };
  const mailsAbout = (smtp: TestSmtpServer, site: string) => smtp.mails.filter((m) => m.raw.includes(site)).length;
  const smsTo = (number: string, site: string) =>
    smsc.submitted.filter((s) => s.destination === number.replace(/^\+/, '') && s.message.includes(site)).length;
  const rawRetention = async () => {
    const answer = await influxd.query(`SHOW RETENTION POLICIES ON "${db}"`);
    const rows = (answer.results[0]?.series?.[0]?.values ?? []) as unknown[][];
    return rows.find((r) => r[0] === 'kpid')?.[1];
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kpid-reload-notify-'));
    [influxd] = await Promise.all([startInfluxd(), mailA.start(), mailB.start(), smsc.start()]);
    kpid = await startKpid(config({ smtpPort: mailA.port, oncall: OLD_NUMBER, retention: '1d' }));
    await eventually(async () => (await rawRetention()) === '24h0m0s', 30_000);
  }, 120_000);
  afterAll(async () => {
    mailA.release();
    await kpid?.stop();
    await Promise.all([mailA.stop(), mailB.stop(), smsc.stop(), influxd?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a mail and an SMS in flight at the reload arrive once, where they were going; the next go to SMTP server B and the new on-call number', async () => {
    mailA.hold();
    smsc.holdSubmits();
    await fire('siteone');
    // A and the SMSC have the messages but have not answered: both are in flight.
    await eventually(() => mailA.held === 1 && smsc.heldSubmits === 1, 30_000);

    const from = kpid.logs.length;
    writeFileSync(kpid.configFile, config({ smtpPort: mailB.port, oncall: NEW_NUMBER, retention: '2d' }));
    const reloaded = await fetch(`${kpid.url}/api/v1/reload`, { method: 'POST' });
    expect(reloaded.status).toBe(200);
    expect(kpid.logs.slice(from).filter((l) => /takes effect at the next restart/.test(String(l.msg)))).toEqual([]);

    mailA.release();
    smsc.releaseSubmits();
    await eventually(() => mailsAbout(mailA, 'siteone') === 1, 30_000);

    await fire('sitetwo');
    await eventually(() => mailsAbout(mailB, 'sitetwo') === 1 && smsTo(NEW_NUMBER, 'sitetwo') === 1, 30_000);
    // Time for a retry or a second copy to show up, had the reload lost the answer from A.
    await new Promise((r) => setTimeout(r, 3_000));
    expect({
      siteoneAtA: mailsAbout(mailA, 'siteone'), siteoneAtB: mailsAbout(mailB, 'siteone'),
      sitetwoAtA: mailsAbout(mailA, 'sitetwo'), sitetwoAtB: mailsAbout(mailB, 'sitetwo'),
      siteoneSms: smsTo(OLD_NUMBER, 'siteone') + smsTo(NEW_NUMBER, 'siteone'),
      sitetwoToOldNumber: smsTo(OLD_NUMBER, 'sitetwo'), sitetwoToNewNumber: smsTo(NEW_NUMBER, 'sitetwo'),
    }).toEqual({ siteoneAtA: 1, siteoneAtB: 0, sitetwoAtA: 0, sitetwoAtB: 1, siteoneSms: 1, sitetwoToOldNumber: 0, sitetwoToNewNumber: 1 });
  }, 180_000);

  it('the new InfluxDB retention is applied to the database at the reload, and samples keep arriving', async () => {
    await eventually(async () => (await rawRetention()) === '48h0m0s', 30_000);
    await fire('sitethree');
    await eventually(async () => (await influxd.rows(`SELECT * FROM probe WHERE site = 'sitethree'`, db)).length > 0, 30_000);
  }, 90_000);
});
