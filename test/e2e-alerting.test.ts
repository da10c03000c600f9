import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startKpid, type KpidProcess } from './helpers/kpid-process.js';
import { TestSmtpServer } from './helpers/smtp.js';
import { captureDatagram, freeUdpPort, sendDatagrams } from './helpers/udp.js';

const TOKEN = 'e2e-token-0123456789abcdef';
const RULES = resolve(import.meta.dirname, '../alert-rules/*.yaml');

/** kpid as an operator runs it: default catalogue rules, traps, ingest, email to the NOC. */
describe('kpid end to end: push ingest and traps through the catalogue rules to the NOC mailbox', () => {
  let kpid: KpidProcess;
  const smtp = new TestSmtpServer();
  let trapPort: number;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${kpid.url}${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, ...(init.headers ?? {}) } });

  beforeAll(async () => {
    await smtp.start();
    trapPort = await freeUdpPort();
    kpid = await startKpid(`
server: { listen: "127.0.0.1:0", api_token: "\${KPID_API_TOKEN}" }
defaults: { interval: 5s, timeout: 2s }
rules: [ "${RULES}" ]
traps: { listen: "127.0.0.1:${trapPort}", community: "\${TRAP_COMMUNITY}" }
notify:
  channels:
    noc-mail: { email: { smtp: { host: 127.0.0.1, port: ${smtp.port}, secure: false }, from: kpid@example.net, to: [noc@example.net] } }
  routes: [ { match: {}, channels: [noc-mail], group_wait: 200ms } ]
targets:
  - { name: edge-1, site: dc1, address: 127.0.0.1 }
`, { KPID_API_TOKEN: TOKEN, TRAP_COMMUNITY: 'trap-secret' });
  });
  afterAll(async () => {
    await kpid?.stop();
    await smtp.stop();
  });

  it('the API refuses requests without the bearer token', async () => {
    const res = await fetch(`${kpid.url}/api/v1/alerts`);
    expect(res.status).toBe(401);
  });

  it('a pushed coverage figure below 99 % sets kpid_kpi_value, fires NetworkCoverageLow and mails the NOC', async () => {
    const res = await api('/api/v1/ingest?precision=s', {
      method: 'POST',
      body: `kpi,kpi=network_coverage,scope=north\\ region value=0.95 ${Math.floor(Date.now() / 1000)}\nkpi,kpi=network_coverage value="bad"\n`,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 1, rejected: [{ line: 2, reason: 'field "value" is a string; kpid fields are numbers' }] });
    const metrics = await kpid.metrics();
    expect(metrics).toContain('kpid_kpi_value{kpi="network_coverage",scope="north region"} 0.95');
    expect(metrics).toContain('kpid_kpi_compliant{kpi="network_coverage",scope="north region"} 0');
    const alerts = (await (await api('/api/v1/alerts')).json()) as { alerts: Array<{ rule: string; state: string }> };
    expect(alerts.alerts.find((a) => a.rule === 'NetworkCoverageLow')?.state).toBe('firing');
    const mail = await eventually(() => smtp.mails.find((m) => /network coverage/i.test(m.raw)), 10_000);
    expect(mail.to).toEqual(['noc@example.net']);
    expect(mail.raw).toMatch(/north region/);
  });

  it('a JSON push of a compliant figure clears it', async () => {
    const res = await api('/api/v1/ingest', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ measurement: 'kpi', tags: { kpi: 'network_coverage', scope: 'north region' }, fields: { value: 0.995 } }]),
    });
    expect(await res.json()).toEqual({ accepted: 1, rejected: [] });
    expect(await kpid.metrics()).toContain('kpid_kpi_compliant{kpi="network_coverage",scope="north region"} 1');
  });

  it('a bad ingest body gets a 4xx naming what was wrong, and kpid keeps running', async () => {
    const res = await api('/api/v1/ingest', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[{"measurement": 5}' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/not valid JSON/);
    expect((await fetch(`${kpid.url}/healthz`)).status).toBe(200);
  });

  it('a v2c linkDown trap opens an outage within one second; linkUp restores it', async () => {
    // snmptrap's own datagram, caught and then delivered by the test, so the second
    // is counted from the trap's arrival and not from the spawn of snmptrap.
    const linkDown = await captureDatagram((port) => execFileSync('snmptrap', ['-Ln', '-v', '2c', '-c', 'trap-secret', `127.0.0.1:${port}`, '',
      '1.3.6.1.6.3.1.1.5.3', '1.3.6.1.2.1.2.2.1.1.7', 'i', '7']));
    const sent = Date.now();
    await sendDatagrams(trapPort, [linkDown]);
    type Outages = { outages: Array<{ id: string; service: string; restoredAt?: number | null; open?: boolean }> };
    const outage = await eventually(async () => {
      const body = (await (await api('/api/v1/outages')).json()) as Outages;
      return body.outages.find((o) => o.service === 'dc1/edge-1/ifIndex 7');
    }, 5_000, 20);
    expect(Date.now() - sent).toBeLessThan(1_000);
    const metrics = await kpid.metrics();
    expect(metrics).toContain('kpid_outages_open 1');
    expect(metrics).toMatch(/kpid_outage_sla_remaining_seconds\{outage="[^"]+",service="dc1\/edge-1\/ifIndex 7"\} 1[78]\d\d/);

    execFileSync('snmptrap', ['-Ln', '-v', '2c', '-c', 'trap-secret', `127.0.0.1:${trapPort}`, '',
      '1.3.6.1.6.3.1.1.5.4', '1.3.6.1.2.1.2.2.1.1.7', 'i', '7']);
    await eventually(async () => {
      const body = (await (await api('/api/v1/outages')).json()) as Outages;
      const o = body.outages.find((x) => x.id === outage.id);
      return o && o.restoredAt;
    }, 5_000, 20);
    expect(await kpid.metrics()).toContain('kpid_outages_open 0');
  });

  it('acknowledging an unknown alert is a 404 that names it', async () => {
    const res = await api('/api/v1/alerts/nope/ack', { method: 'POST', body: '{"by":"alice"}' });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('"nope"');
  });
});
