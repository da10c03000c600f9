import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startKpid, type KpidProcess } from './helpers/kpid-process.js';
import { decodedHeader, plainText, TestSmtpServer } from './helpers/smtp.js';

const TOKEN = 'silence-token-0123456789abcdef';
const RULES = resolve(import.meta.dirname, '../alert-rules/*.yaml');
const HOUR = 3_600_000;

type SilenceView = { id: string; source: string; state: string; matchers: Record<string, string>; maintenance: boolean; every: string | null; current: { startsAt: string; endsAt: string } | null; createdBy: string };
type OutageView = { id: string; service: string; planned: boolean; state: string };
type Availability = { service: string; rolling30d: { plannedOutages: number; unplannedOutages: number } };

/** kpid as a process with the catalogue rules, a real SMTP server, and a weekly maintenance window over site dc-maint. */
describe('silences and maintenance windows through /api/v1/silences and config, end to end', () => {
  let kpid: KpidProcess;
  const smtp = new TestSmtpServer();
  const stateDir = mkdtempSync(join(tmpdir(), 'kpid-silences-state-'));
  const started = Date.now();
  const config = (window: string) => `
server: { listen: "127.0.0.1:0", api_token: "\${KPID_API_TOKEN}" }
state: { sqlite: "${join(stateDir, 'kpid.db')}" }
rules: [ "${RULES}" ]
notify:
  channels:
    noc-mail: { email: { smtp: { host: 127.0.0.1, port: ${smtp.port}, secure: false }, from: kpid@example.net, to: [noc@example.net] } }
  routes: [ { match: {}, channels: [noc-mail], group_wait: 200ms, group_interval: 500ms } ]
maintenance:
  ${window}
allow_empty_targets: true
`;
  // Opened an hour ago, two hours long, every week: open now.
  const weekly = `- { name: maint-weekly, match: { site: dcmaint }, from: "${new Date(started - HOUR).toISOString()}", duration: 2h, every: 1w, comment: patching }`;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${kpid.url}${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  const post = (path: string, body: unknown) => api(path, { method: 'POST', body: JSON.stringify(body) });
  const push = (samples: unknown[]) => post('/api/v1/ingest', samples).then(async (r) => expect(await r.json()).toMatchObject({ rejected: [] }));
  const coverage = (scope: string, value: number) => ({ measurement: 'kpi', tags: { kpi: 'network_coverage', scope }, fields: { value } });
  const link = (site: string, up: number) => ({ measurement: 'interface', tags: { target: `edge-${site}`, site, interface: 'ge-0/0/1' }, fields: { oper_up: up, admin_up: 1, monitored: 1 } });
  // The subject opens with the severity ([CRIT], [WARN]) or [OK] (src/notify/render-subject.ts).
  const mailsAbout = (word: 'FIRING' | 'RESOLVED', scope: string) =>
    smtp.mails.filter((m) => (word === 'FIRING' ? /^\[(CRIT|WARN|INFO)\]/ : /^\[OK\]/).test(decodedHeader(m.raw, 'Subject')) && plainText(m.raw).includes(scope));
  const firingState = async (scope: string) =>
    ((await (await api('/api/v1/alerts')).json()) as { alerts: Array<{ labels: Record<string, string>; state: string }> }).alerts.find((a) => a.labels.scope === scope)?.state;

  beforeAll(async () => {
    await smtp.start();
    kpid = await startKpid(config(weekly), { KPID_API_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await kpid?.stop();
    await smtp.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('a bad silence body is a 400 that names the bad field, and nothing is created', async () => {
    const cases: Array<[unknown, RegExp, string[]]> = [
      [{ matchers: { site: 'a' } }, /^endsAt: give an end time \(endsAt\) or a length \(duration\)/, ['endsAt']],
      [{ matchers: {}, duration: '1h' }, /^matchers: give at least one label/, ['matchers']],
      [{ matchers: { site: 'a' }, startsAt: '2026-01-01T02:00:00Z', endsAt: '2026-01-01T01:00:00Z' }, /^endsAt: endsAt must be after startsAt/, ['endsAt']],
      [{ matchers: { site: 'a' }, endsAt: 'tomorrow' }, /^endsAt: "tomorrow" is not an RFC 3339 time/, ['endsAt']],
      [{ matchers: { site: 'a' }, duration: '2h', every: '1h' }, /^every: a window of 2h cannot repeat every 1h/, ['every']],
      [{ matchers: { site: 'a' }, duration: '1h', sites: 'x' }, /^unknown field "sites"/, []],
      [{ matchers: { site: 5 }, duration: '1h' }, /^matchers\.site: /, ['matchers.site']],
      [[1, 2], /body must be a JSON object/, []],
    ];
    for (const [body, message, fields] of cases) {
      const res = await post('/api/v1/silences', body);
      const json = (await res.json()) as { error: { code: string; message: string; details: { fields: string[] } } };
      expect({ status: res.status, code: json.error.code, fields: json.error.details.fields }).toEqual({ status: 400, code: 'bad_field', fields });
      expect(json.error.message).toMatch(message);
    }
    const bad = await api('/api/v1/silences', { method: 'POST', body: '{"matchers":' });
    expect(bad.status).toBe(400);
    const list = (await (await api('/api/v1/silences')).json()) as { silences: SilenceView[] };
    expect(list.silences.map((s) => s.id)).toEqual(['config:maint-weekly']);
  });

  it('create (201 with an id), list, get and delete; an unknown id is a 404; a config window cannot be deleted', async () => {
    const res = await post('/api/v1/silences', { matchers: { site: 'dc9' }, duration: '30m', createdBy: 'alice', comment: 'test' });
    expect(res.status).toBe(201);
    const created = (await res.json()) as SilenceView;
    expect(created).toMatchObject({ source: 'api', state: 'active', matchers: { site: 'dc9' }, createdBy: 'alice', maintenance: false });
    const list = (await (await api('/api/v1/silences')).json()) as { silences: SilenceView[] };
    expect(list.silences.map((s) => s.id)).toEqual(['config:maint-weekly', created.id]);
    expect(list.silences[0]).toMatchObject({ source: 'config', state: 'active', every: '7d', maintenance: true });
    expect((await api(`/api/v1/silences/${created.id}`)).status).toBe(200);
    expect((await api(`/api/v1/silences/${created.id}`, { method: 'DELETE' })).status).toBe(200);
    const again = await api(`/api/v1/silences/${created.id}`, { method: 'DELETE' });
    expect(again.status).toBe(404);
    expect(((await again.json()) as { error: { message: string } }).error.message).toContain(created.id);
    expect((await api('/api/v1/silences/config:maint-weekly', { method: 'DELETE' })).status).toBe(409);
    expect((await fetch(`${kpid.url}/api/v1/silences`)).status).toBe(401);
  });

  it("a silenced alert fires but is not mailed, while an unsilenced one is", async () => {
    expect((await post('/api/v1/silences', { matchers: { scope: 'quietzone' }, duration: '1h' })).status).toBe(201);
    await push([coverage('quietzone', 0.95)]);
    await push([coverage('loudzone', 0.95)]);
    expect(await firingState('quietzone')).toBe('firing');
    await eventually(() => mailsAbout('FIRING', 'loudzone')[0], 10_000);
    // Both had the same 200 ms group wait; the control's mail is the barrier, plus a margin.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(smtp.mails.filter((m) => plainText(m.raw).includes('quietzone'))).toEqual([]);
  });

  it('an alert silenced after it was mailed still gets its resolved mail', async () => {
    await push([coverage('laterzone', 0.95)]);
    await eventually(() => mailsAbout('FIRING', 'laterzone')[0], 10_000);
    expect((await post('/api/v1/silences', { matchers: { scope: 'laterzone' }, duration: '1h', createdBy: 'bob' })).status).toBe(201);
    await push([coverage('laterzone', 0.995)]);
    const resolved = await eventually(() => mailsAbout('RESOLVED', 'laterzone')[0], 10_000);
    expect(resolved.to).toEqual(['noc@example.net']);
    expect(mailsAbout('FIRING', 'laterzone')).toHaveLength(1);
  });

  it('an outage inside a maintenance window is planned, not mailed and kept out of availability; one outside is not', async () => {
    await push([link('dcmaint', 0), link('dcother', 0)]);
    const outages = await eventually(async () => {
      const body = (await (await api('/api/v1/outages')).json()) as { outages: OutageView[]; availability: Availability[] };
      return body.outages.length >= 2 && body.availability.length >= 2 ? body : undefined;
    }, 10_000);
    const byService = Object.fromEntries(outages.outages.map((o) => [o.service, o.planned]));
    expect(byService).toEqual({ 'dcmaint/edge-dcmaint/ge-0/0/1': true, 'dcother/edge-dcother/ge-0/0/1': false });
    const avail = Object.fromEntries(outages.availability.map((a) => [a.service, [a.rolling30d.plannedOutages, a.rolling30d.unplannedOutages]]));
    expect(avail).toEqual({ 'dcmaint/edge-dcmaint/ge-0/0/1': [1, 0], 'dcother/edge-dcother/ge-0/0/1': [0, 1] });
    await eventually(() => mailsAbout('FIRING', 'dcother')[0], 10_000);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(smtp.mails.filter((m) => plainText(m.raw).includes('dcmaint'))).toEqual([]);
  });

  it('a reload replaces the config windows; API silences survive a restart', async () => {
    writeFileSync(kpid.configFile, config(`- { match: { site: dcnew }, from: "${new Date(started).toISOString()}", to: "${new Date(started + HOUR).toISOString()}" }`));
    expect((await post('/api/v1/reload', {})).status).toBe(200);
    const after = (await (await api('/api/v1/silences')).json()) as { silences: SilenceView[] };
    const ids = after.silences.map((s) => s.id);
    expect(ids[0]).toBe('config:maintenance.0');
    expect(ids).not.toContain('config:maint-weekly');
    const apiIds = ids.filter((id) => !id.startsWith('config:'));
    expect(apiIds).toHaveLength(2); // quietzone and laterzone

    const configText = readFileSync(kpid.configFile, 'utf8');
    expect(await kpid.stop()).toBe(0);
    kpid = await startKpid(configText, { KPID_API_TOKEN: TOKEN });
    const restarted = (await (await api('/api/v1/silences')).json()) as { silences: SilenceView[] };
    expect(restarted.silences.map((s) => s.id)).toEqual(ids);
    expect(restarted.silences.find((s) => s.id === apiIds[0])).toMatchObject({ state: 'active', source: 'api' });
  });
});
