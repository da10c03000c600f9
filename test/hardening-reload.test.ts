import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startKpid, type KpidProcess } from './helpers/kpid-process.js';
import { header, TestSmtpServer } from './helpers/smtp.js';

const TOKEN = 'reload-token-0123456789abc';

const RULE = `groups:
  - name: voice
    rules:
      - alert: VoiceServiceDown
        select: { measurement: probe, tags: { probe: sip } }
        value: { field: success }
        when: "= 0"
        severity: critical
        outage: { service: "voice-{{ $labels.site }}", recovery_target: 30m }
`;

const TARGETS = ['edge-1', 'edge-2', 'edge-3', 'edge-4'];

function config(o: { smtpPort: number; rules: string; targets?: readonly string[]; token?: boolean; groupWait?: string }): string {
  const targets = (o.targets ?? TARGETS).map((n) => `  - { name: ${n}, site: dc1, address: 127.0.0.1 }`).join('\n');
  return `server:
  listen: "127.0.0.1:0"
${o.token === false ? '' : '  api_token: "${KPID_API_TOKEN}"\n'}rules: [ "${o.rules}" ]
notify:
  channels:
    noc-mail: { email: { smtp: { host: 127.0.0.1, port: ${o.smtpPort}, secure: false }, from: kpid@example.net, to: [noc@example.net] } }
  routes: [ { match: {}, channels: [noc-mail], group_wait: ${o.groupWait ?? '200ms'}, group_interval: 500ms } ]
targets:
${targets}
`;
}

/**
 * The attack of issue 14 §1 against a real daemon: an editor's save racing
 * SIGHUP (`: > kpid.yaml; kill -HUP`) while an outage is open.
 */
describe('a reload never turns an emptied or truncated config into "monitor nothing"', () => {
  const smtp = new TestSmtpServer();
  let kpid: KpidProcess;
  let rules: string;
  let port: number;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${kpid.url}${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, ...(init.headers ?? {}) } });
  const subjects = () => smtp.mails.map((m) => header(m.raw, 'Subject') ?? '');
  const openOutages = async () =>
    ((await (await api('/api/v1/outages')).json()) as { outages: Array<{ service: string; state: string }> }).outages.filter((o) => o.state === 'open');
  const reloadSuccess = async () => /^kpid_config_last_reload_success (\d)/m.exec(await kpid.metrics())?.[1];
  const logsAfter = (n: number) => kpid.logs.slice(n);

  beforeAll(async () => {
    await smtp.start();
    port = smtp.port;
    rules = join(mkdtempSync(join(tmpdir(), 'kpid-rules-')), 'voice.yaml');
    writeFileSync(rules, RULE);
    kpid = await startKpid(config({ smtpPort: port, rules }), { KPID_API_TOKEN: TOKEN });
    const pushed = await api('/api/v1/ingest', { method: 'POST', body: 'probe,probe=sip,site=dc1,target=edge-1 success=0\n' });
    expect(pushed.status).toBe(200);
    await eventually(() => smtp.mails.some((m) => /VoiceServiceDown|FIRING|CRIT/.test(m.raw)), 15_000);
    expect(await openOutages()).toMatchObject([{ service: 'voice-dc1' }]);
  });
  afterAll(async () => {
    await kpid?.stop();
    await smtp.stop();
  });

  it(': > kpid.yaml; kill -HUP — refused: no resolved or restored mail, outages open, token still required, reload metric 0', async () => {
    const before = smtp.mails.length;
    const from = kpid.logs.length;
    writeFileSync(kpid.configFile, '');
    kpid.proc.kill('SIGHUP');
    const rejected = await kpid.waitForLog((l) => l.msg === 'config reload rejected; the previous config keeps running' && kpid.logs.indexOf(l) >= from);
    expect((rejected.errors as string[]).join('\n')).toMatch(/kpid\.yaml:1:1: \(top level\): the config file is empty/);
    expect(await reloadSuccess()).toBe('0');
    // Give notify several group intervals to send anything a wrong reload would have caused.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(smtp.mails.slice(before).map((m) => header(m.raw, 'Subject'))).toEqual([]);
    expect(await openOutages()).toMatchObject([{ service: 'voice-dc1', state: 'open' }]);
    expect((await fetch(`${kpid.url}/api/v1/alerts`)).status).toBe(401);
    expect(logsAfter(from).some((l) => /server changed/.test(String(l.msg)))).toBe(false);
  });

  it('a truncated file keeping one of four targets, or no rules, is refused with the reason; SIGHUP cannot force it', async () => {
    for (const [text, reason] of [
      [config({ smtpPort: port, rules, targets: ['edge-1'] }), /removes 3 of 4 targets \(more than half\)/],
      [config({ smtpPort: port, rules: join(dirname(rules), 'no-such-*.yaml') }), /loads no alert rules where 1 run now/],
    ] as const) {
      const from = kpid.logs.length;
      writeFileSync(kpid.configFile, text);
      kpid.proc.kill('SIGHUP');
      const refused = await kpid.waitForLog((l) => l.msg === 'config reload refused; the previous config keeps running' && kpid.logs.indexOf(l) >= from);
      expect((refused.errors as string[])[0]).toMatch(reason);
      expect(await reloadSuccess()).toBe('0');
    }
    const viaApi = await api('/api/v1/reload', { method: 'POST' });
    expect(viaApi.status).toBe(409);
    expect(await viaApi.json()).toMatchObject({ error: { code: 'reload_refused', details: [expect.stringMatching(/loads no alert rules/)] } });
    expect(await openOutages()).toHaveLength(1);
  });

  it('a forced reload applies; server: changes wait for a restart, so the running token stays required and the log says so truly; notify: applies', async () => {
    const from = kpid.logs.length;
    writeFileSync(kpid.configFile, config({ smtpPort: port, rules, targets: ['edge-1'], token: false, groupWait: '300ms' }));
    const forced = await api('/api/v1/reload?force=1', { method: 'POST' });
    expect(forced.status).toBe(200);
    expect(await forced.json()).toEqual({ status: 'reloaded', targets: 1 });
    expect(await reloadSuccess()).toBe('1');
    await kpid.waitForLog((l) => l.msg === 'server changed; it takes effect at the next restart' && kpid.logs.indexOf(l) >= from);
    await kpid.waitForLog((l) => l.msg === 'notify reconfigured' && kpid.logs.indexOf(l) >= from);
    expect(logsAfter(from).filter((l) => /^notify changed/.test(String(l.msg)))).toEqual([]);
    expect((await fetch(`${kpid.url}/api/v1/alerts`)).status).toBe(401);
    expect((await api('/api/v1/alerts')).status).toBe(200);
    expect(await openOutages()).toHaveLength(1);
  });
});
