import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startKpid, type KpidProcess } from './helpers/kpid-process.js';
import { plainText, TestSmtpServer, type ReceivedMail, mailWithDutyEscalation } from './helpers/smtp.js';

const TOKEN = 'ack-token-0123456789abcdef';
const RULES = resolve(import.meta.dirname, '../alert-rules/*.yaml');
/** The escalation step's `after`. */
const ESCALATE_AFTER_MS = 4_000;
/** How long the acked alert is watched for a late escalation: three times the delay. */
const WATCH_MS = 3 * ESCALATE_AFTER_MS;

type Alerts = {
  alerts: Array<{ id: string; rule: string; labels: Record<string, string>; firedAt: string; acknowledged: { by: string } | null }>;
};

/**
 * Two twin alerts (network coverage low in two regions) on a route with an
 * escalation ladder: the duty manager is mailed when nobody acked within
 * 4 s. One is acked through the HTTP API; only the other is escalated. The
 * SMTP server stamps each mail's arrival, which is the ground truth here.
 */
describe('ack through the HTTP API stops the escalation mail; the un-acked twin is escalated', () => {
  let kpid: KpidProcess;
  const smtp = new TestSmtpServer();
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${kpid.url}${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, ...(init.headers ?? {}) } });
  const about = (region: string, to: string) => (m: ReceivedMail) => m.to.includes(to) && plainText(m.raw).includes(region);

  beforeAll(async () => {
    await smtp.start();
    kpid = await startKpid(`
server: { listen: "127.0.0.1:0", api_token: "\${KPID_API_TOKEN}" }
rules: [ "${RULES}" ]
${mailWithDutyEscalation(smtp.port, ESCALATE_AFTER_MS / 1000)}
allow_empty_targets: true
targets: []
`, { KPID_API_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await kpid?.stop();
    await smtp.stop();
  });

  it('the acked alert never reaches the duty manager, the other does after its delay', async () => {
    const pushed = await api('/api/v1/ingest', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(['north', 'south'].map((scope) =>
        ({ measurement: 'kpi', tags: { kpi: 'network_coverage', scope }, fields: { value: 0.95 } }))),
    });
    expect(pushed.status).toBe(200);
    const northFired = await eventually(() => smtp.mails.find(about('north', 'noc@example.net')), 10_000, 20);
    const southFired = await eventually(() => smtp.mails.find(about('south', 'noc@example.net')), 10_000, 20);

    const { alerts } = (await (await api('/api/v1/alerts')).json()) as Alerts;
    const north = alerts.find((a) => a.rule === 'NetworkCoverageLow' && a.labels.scope === 'north')!;
    const south = alerts.find((a) => a.rule === 'NetworkCoverageLow' && a.labels.scope === 'south')!;
    const acked = await api(`/api/v1/alerts/${encodeURIComponent(north.id)}/ack`, {
      method: 'POST', body: JSON.stringify({ by: 'alice', comment: 'field team on site' }),
    });
    expect(acked.status).toBe(200);
    expect(await acked.json()).toEqual({ acknowledged: north.id, by: 'alice' });
    // The ack must land before the escalation was due, or this test would prove nothing.
    expect(Date.now() - Date.parse(north.firedAt)).toBeLessThan(ESCALATE_AFTER_MS);

    const southEscalated = await eventually(() => smtp.mails.find(about('south', 'duty@example.net')), WATCH_MS, 50);
    // Escalated after the ladder's delay, counted from the alert firing; not at once.
    expect(southEscalated.at - Date.parse(south.firedAt)).toBeGreaterThanOrEqual(ESCALATE_AFTER_MS);
    expect(southEscalated.at).toBeGreaterThan(southFired.at);

    // Watch the acked alert until three escalation delays after its first mail.
    const quietUntil = northFired.at + WATCH_MS;
    await new Promise((r) => setTimeout(r, Math.max(0, quietUntil - Date.now())));
    expect(smtp.mails.filter(about('north', 'duty@example.net'))).toEqual([]);
    const after = (await (await api('/api/v1/alerts')).json()) as Alerts;
    expect(after.alerts.find((a) => a.id === north.id)?.acknowledged?.by).toBe('alice');
    expect(after.alerts.find((a) => a.labels.scope === 'south')?.acknowledged).toBeNull();
  });
});
