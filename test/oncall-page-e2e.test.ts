import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CountingAgent } from './helpers/counting-agent.js';
import { eventually, startKpid, type KpidProcess } from './helpers/kpid-process.js';
import { decodedHeader, plainText, TestSmtpServer } from './helpers/smtp.js';

const TOKEN = 'oncall-e2e-token-0123456789';
const RULES = resolve(import.meta.dirname, '../alert-rules/*.yaml');
const INTERVAL = 2_000;
/** The machine is loaded: a sample may be stamped this late after its poll timed out. */
const SLACK = 1_000;
const TIMEOUT = 300;
/** A failed poll: its attempt and two confirmation re-polls (src/collectors/snmp), each timing out. */
const POLL_SPAN = 3 * TIMEOUT;

/** "HH:MM:SS UTC" on the day of `near` as epoch ms (the test runs in well under a day). */
function clockTime(hms: string, near: number): number {
  const day = new Date(near).toISOString().slice(0, 10);
  let t = Date.parse(`${day}T${hms}Z`);
  if (t - near > 12 * 3_600_000) t -= 86_400_000;
  if (near - t > 12 * 3_600_000) t += 86_400_000;
  return t;
}

/**
 * A device dies at a real SNMP agent under a real kpid with the shipped
 * rules, mailing a real SMTP server. The first page must give the true
 * down-since (the first failed poll, as the agent saw it), the SLA deadline,
 * and an ack command that works against this daemon's real address.
 */
describe('the first page of a dead device, as the on-call engineer gets it', () => {
  const agent = new CountingAgent();
  const smtp = new TestSmtpServer();
  let kpid: KpidProcess;

  beforeAll(async () => {
    await Promise.all([agent.start(), smtp.start()]);
    // listen on port 0: the real port is only known once kpid runs, so no message may assume 9464.
    kpid = await startKpid(`
server: { listen: "127.0.0.1:0", api_token: "\${KPID_API_TOKEN}" }
defaults: { interval: ${INTERVAL}ms, timeout: ${TIMEOUT}ms }
rules: [ "${RULES}" ]
notify:
  channels:
    noc-mail: { email: { smtp: { host: 127.0.0.1, port: ${smtp.port}, secure: false }, from: kpid@example.net, to: [noc@example.net] } }
  routes: [ { match: { alertname: DeviceUnreachable }, channels: [noc-mail], group_wait: 0s } ]
targets:
  - { name: lostdev, site: lab, address: 127.0.0.1, snmp: { version: 2c, community: c-lostdev, port: ${agent.port}, timeout: ${TIMEOUT}ms, retries: 0, modules: [system] } }
`, { KPID_API_TOKEN: TOKEN });
  }, 30_000);
  afterAll(async () => {
    await kpid?.stop();
    await Promise.all([agent.close(), smtp.stop()]);
  });

  it('says down since the first failed poll, the SLA deadline, and an ack line that works here', async () => {
    await eventually(() => agent.between(0).length >= 2, 10_000);
    const killedAt = Date.now();
    agent.silent.add('lostdev');
    const mail = await eventually(() => smtp.mails.find((m) => /DeviceUnreachable/.test(decodedHeader(m.raw, 'Subject'))), 25_000);
    const firstFailed = agent.between(killedAt)[0]!.at;
    const text = plainText(mail.raw).replace(/\r\n/g, '\n');

    const subject = decodedHeader(mail.raw, 'Subject');
    expect(subject).toMatch(/^\[CRIT\] lab\/lostdev down \d+s — DeviceUnreachable \(SLA (29|30)m left\)$/);

    // True start: the first failed poll, within one poll of the kill (whole seconds in the text). A
    // failed poll's sample is stamped when it gave up: after its attempt and two quick confirmations,
    // each waiting TIMEOUT, so up to POLL_SPAN after the agent saw its first attempt.
    const since = clockTime(/Since:  (\d\d:\d\d:\d\d) UTC, \d+s ago \(first failed poll; alert fired/.exec(text)![1]!, killedAt);
    expect(since).toBeGreaterThanOrEqual(Math.floor(killedAt / 1000) * 1000);
    const seen = `kill ${killedAt}, first failed poll ${firstFailed}, since ${since}`;
    expect(since, seen).toBeLessThanOrEqual(killedAt + INTERVAL + POLL_SPAN + SLACK);
    expect(since, seen).toBeGreaterThan(firstFailed - 1_000);
    expect(since, seen).toBeLessThanOrEqual(firstFailed + POLL_SPAN + SLACK);
    // When the alert fired (the third failed poll) is two polls later: that would fail the bounds above.

    // The SLA deadline is 30 minutes after the true start.
    const deadline = clockTime(/SLA:    lab\/lostdev: 30 min to restore, by (\d\d:\d\d:\d\d) UTC/.exec(text)![1]!, killedAt);
    expect(deadline - since).toBe(30 * 60_000);
    expect(text).toContain('What:   not answering SNMP or ping (3 misses)');

    // No public URL: the ack line names this daemon's real address, and running it acks the alert.
    const ack = /Ack:    on the kpid host: (curl .*)/.exec(text)![1]!;
    expect(ack).toContain(`${kpid.url}/api/v1/alerts/`);
    const reply = execFileSync('sh', ['-c', `${ack} -sS -w '\\n%{http_code}'`], { env: { ...process.env, KPID_API_TOKEN: TOKEN }, encoding: 'utf8' });
    expect(reply.trim().split('\n').at(-1)).toBe('200');
    const alerts = (await (await fetch(`${kpid.url}/api/v1/alerts`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as {
      alerts: Array<{ rule: string; acknowledgedBy?: string; acknowledged?: unknown }>;
    };
    expect(JSON.stringify(alerts.alerts.find((a) => a.rule === 'DeviceUnreachable'))).toContain('on-call');
  }, 40_000);
});
