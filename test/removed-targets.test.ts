import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startKpid, type KpidProcess } from './helpers/kpid-process.js';
import { TestSmtpServer } from './helpers/smtp.js';

const RULE = (name: string) => `  - alert: ${name}
        select: { measurement: probe, tags: { probe: sip } }
        value: { field: success }
        when: "= 0"
        severity: critical
        outage: { service: "voice-{{ $labels.target }}", recovery_target: 30m }
`;
const rules = (...names: string[]) => `groups:\n  - name: voice\n    rules:\n${names.map((n) => `    ${RULE(n)}`).join('')}`;

function config(smtpPort: number, ruleFile: string, targets: readonly string[]): string {
  return `server:
  listen: "127.0.0.1:0"
rules: [ "${ruleFile}" ]
notify:
  channels:
    noc-mail: { email: { smtp: { host: 127.0.0.1, port: ${smtpPort}, secure: false }, from: kpid@example.net, to: [noc@example.net] } }
  routes: [ { match: {}, channels: [noc-mail], group_wait: 200ms, group_interval: 500ms } ]
targets:
${targets.map((n) => `  - { name: ${n}, site: dc1, address: 127.0.0.1 }`).join('\n')}
`;
}

type OutageJson = { service: string; state: string; endedBy: string | null; restoredAt: string | null; endedAt: string | null };

/** Issue 13 §5, against a real daemon and a real SMTP server. */
describe('a target or rule that leaves the config is no longer monitored, not restored', () => {
  let smtp: TestSmtpServer;
  let kpid: KpidProcess | undefined;
  afterEach(async () => {
    await kpid?.stop();
    await smtp?.stop();
  });

  async function firingOn(targets: string[], ruleText: string) {
    smtp = new TestSmtpServer();
    await smtp.start();
    const ruleFile = join(mkdtempSync(join(tmpdir(), 'kpid-rules-')), 'voice.yaml');
    writeFileSync(ruleFile, ruleText);
    const k = (kpid = await startKpid(config(smtp.port, ruleFile, targets)));
    const pushed = await fetch(`${k.url}/api/v1/ingest`, { method: 'POST', body: 'probe,probe=sip,site=dc1,target=edge-1 success=0\n' });
    expect(pushed.status).toBe(200);
    await eventually(() => smtp.mails.length > 0, 15_000);
    expect(await outages(k)).toMatchObject([{ service: 'voice-edge-1', state: 'open' }]);
    return { k, ruleFile };
  }
  const outages = async (k: KpidProcess) => ((await (await fetch(`${k.url}/api/v1/outages`)).json()) as { outages: OutageJson[] }).outages;
  const alerts = async (k: KpidProcess) => ((await (await fetch(`${k.url}/api/v1/alerts`)).json()) as { alerts: unknown[] }).alerts;
  // Subjects are RFC 2047 encoded and bodies quoted-printable: read the text with soft breaks undone.
  const text = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))).replace(/_/g, ' ');

  async function expectEndedByRemoval(k: KpidProcess, firingMails: number) {
    await eventually(() => smtp.mails.length > firingMails, 15_000);
    // Several group intervals for a wrong restored mail to arrive.
    await new Promise((r) => setTimeout(r, 2_000));
    const after = smtp.mails.slice(firingMails).map((m) => text(m.raw));
    expect(after).toHaveLength(1);
    expect(after[0]).toMatch(/resolved/i);
    expect(after[0]).toMatch(/no longer monitored/);
    expect(after[0]).not.toMatch(/restored after/i);
    expect(await alerts(k)).toEqual([]);
    const [o] = await outages(k);
    expect(o).toMatchObject({ service: 'voice-edge-1', state: 'ended_by_removal', endedBy: 'removal', restoredAt: null });
    expect(Date.parse(o!.endedAt!)).toBeGreaterThan(0);
  }

  it('removing a target with a firing alert and an open outage (one of three, by SIGHUP): one resolved mail, no restored mail, outage ended by removal', async () => {
    const { k, ruleFile } = await firingOn(['edge-1', 'edge-2', 'edge-3'], rules('VoiceServiceDown'));
    const firing = smtp.mails.length;
    writeFileSync(k.configFile, config(smtp.port, ruleFile, ['edge-2', 'edge-3']));
    k.proc.kill('SIGHUP');
    await k.waitForLog((l) => l.msg === 'config reloaded');
    await expectEndedByRemoval(k, firing);
  });

  it('removing the rule of a firing alert (another rule stays): one resolved mail, no restored mail, outage ended by removal', async () => {
    const { k, ruleFile } = await firingOn(['edge-1', 'edge-2'], rules('VoiceServiceDown'));
    const firing = smtp.mails.length;
    writeFileSync(ruleFile, rules('SomethingElse').replace('probe: sip', 'probe: other'));
    const r = await fetch(`${k.url}/api/v1/reload`, { method: 'POST' });
    expect(r.status).toBe(200);
    await expectEndedByRemoval(k, firing);
  });
});
