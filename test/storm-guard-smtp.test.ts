import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKpid, type KpidProcess } from './helpers/kpid-process.js';
import { TestSmtpServer } from './helpers/smtp.js';
import { TestWebhook, waitFor } from './helpers/webhook.js';

const TOKEN = 'storm-token-0123456789abcdef';
const RULES = resolve(import.meta.dirname, '../alert-rules/*.yaml');
const ALERTS = 300;

/**
 * Issue 19 §5 against real servers: kpid with the shipped rules, a real SMTP
 * server and a real HTTP receiver. 300 pushed coverage figures below target
 * fire 300 alerts at once: more than 200 changes in a minute is a storm, so
 * each mailbox and the webhook get exactly one summary, and no per-alert message.
 */
describe('the global storm guard with a real SMTP server and webhook', () => {
  let kpid: KpidProcess;
  const smtp = new TestSmtpServer();
  const hook = new TestWebhook();

  beforeAll(async () => {
    await smtp.start();
    await hook.start();
    kpid = await startKpid(`
server: { listen: "127.0.0.1:0", api_token: "\${KPID_API_TOKEN}" }
# it only receives pushed figures
allow_empty_targets: true
rules: [ "${RULES}" ]
notify:
  external_url: https://kpid.example.net
  storm_guard: { max_changes: 200, interval: 3s }
  channels:
    noc-mail: { email: { smtp: { host: 127.0.0.1, port: ${smtp.port}, secure: false }, from: kpid@example.net, to: [noc@example.net, duty@example.net] } }
    hook: { webhook: { url: "${hook.url()}" } }
  routes: [ { match: {}, channels: [noc-mail, hook], group_wait: 200ms } ]
`, { KPID_API_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await kpid?.stop();
    await smtp.stop();
    await hook.stop();
  });

  it(`${ALERTS} alerts fired at once give one summary per mailbox and per webhook, listing counts by rule and site`, async () => {
    const now = Math.floor(Date.now() / 1000);
    const lines = Array.from({ length: ALERTS }, (_, i) => `kpi,kpi=network_coverage,scope=cell${i} value=0.95 ${now}`).join('\n');
    const res = await fetch(`${kpid.url}/api/v1/ingest?precision=s`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: lines });
    expect(await res.json()).toEqual({ accepted: ALERTS, rejected: [] });
    await waitFor(() => smtp.mails.length >= 2 && hook.requests.length >= 1, 20_000, 'the storm summaries');
    // Two more windows (3 s each) with the storm still on: nothing else may arrive.
    await new Promise((r) => setTimeout(r, 7_000));
    expect(smtp.mails.map((m) => m.to).sort()).toEqual([['duty@example.net'], ['noc@example.net']]);
    for (const m of smtp.mails) {
      expect(m.raw).toMatch(/Subject: kpid alert storm: 300 alert changes in \d+s \(300 firing, 0 resolved\)/);
      expect(m.raw).toMatch(/300 {2}NetworkCoverageLow/);
      expect(m.raw).toContain('Full list: https://kpid.example.net/api/v1/alerts');
    }
    expect(hook.requests).toHaveLength(1);
    const payload = JSON.parse(hook.requests[0]!.body) as { alerts: unknown[]; receiver: string };
    expect(payload.receiver).toBe('storm');
    expect(payload.alerts).toHaveLength(ALERTS);
    const alerts = (await (await fetch(`${kpid.url}/api/v1/alerts`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { alerts: { rule: string; state: string }[] };
    expect(alerts.alerts.filter((a) => a.rule === 'NetworkCoverageLow' && a.state === 'firing')).toHaveLength(ALERTS);
  });
});
