import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFiring, plain } from './helpers/cluster.js';
import { eventually, requireBuild, startKpid, type KpidProcess } from './helpers/kpid-process.js';
import { freeTcpPort } from './helpers/redis.js';
import { TestSmtpServer, type ReceivedMail, mailEverythingTo } from './helpers/smtp.js';

/**
 * The outage SLA clock on a shortened scale: recovery target 20 s, warnings
 * at 2 s and 10 s (standing in for 30, 15 and 25 minutes). The device is a
 * TCP probe to a port nobody listens on, so it stays down throughout.
 */
const RULE = `groups:
  - name: crash
    rules:
      - alert: DeviceDown
        select: { measurement: target }
        value: { field: up }
        when: "< 1"
        severity: critical
        outage: { service: "{{ $labels.site }}/{{ $labels.target }}", recovery_target: 20s, warn_at: [2s, 10s] }
`;

const config = (o: { rules: string; db: string; smtpPort: number; deadPort: number }) => `server: { listen: "127.0.0.1:0" }
state: { sqlite: "${o.db}" }
defaults: { interval: 1s, timeout: 500ms }
rules: [ "${o.rules}" ]
${mailEverythingTo(o.smtpPort)}
targets:
  - { name: sbc-1, site: dc1, address: 127.0.0.1, probes: [ { type: tcp, port: ${o.deadPort} } ] }
`;

interface OutageJson { id: string; service: string; state: string; startedAt: string; sla: { warningsSentSeconds: number[]; breached: boolean } }

/** The mail's "since" stamp for an instant, as src/notify/wording.ts writes it (clock time, whole seconds, UTC). */
const sinceStamp = (iso: string) => `${iso.slice(11, 19)} UTC`;

describe('kill -9 of the real daemon mid-outage, restarted on the same state file', () => {
  const smtp = new TestSmtpServer();
  let dir: string;
  let text: string;
  let kpid: KpidProcess | undefined;

  beforeAll(async () => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'kpid-outage-restart-'));
    writeFileSync(join(dir, 'rules.yaml'), RULE);
    await smtp.start();
    // A port that was free a moment ago: connects are refused, the target is down.
    text = config({ rules: join(dir, 'rules.yaml'), db: join(dir, 'state', 'kpid.db'), smtpPort: smtp.port, deadPort: await freeTcpPort() });
  });
  afterAll(async () => {
    await kpid?.stop('SIGKILL');
    await smtp.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const outagesOf = async (k: KpidProcess) =>
    ((await (await fetch(`${k.url}/api/v1/outages`)).json()) as { outages: OutageJson[] }).outages.filter((o) => o.service === 'dc1/sbc-1');
  const mails = (re: RegExp, id: string) => smtp.mails.filter((m) => re.test(plain(m)) && new RegExp(`outage ${id}\\b`).test(plain(m)));

  it('the warning due while kpid was down goes out once after restart, the sent one is not repeated, and the clock keeps its true start', async () => {
    kpid = await startKpid(text);
    const [opened] = await eventually(async () => {
      const os = await outagesOf(kpid!);
      return os.length > 0 && os;
    }, 15_000, 50);
    const start = Date.parse(opened!.startedAt);
    const id = opened!.id;
    // The 2 s warning left before the kill: it must not be sent again.
    await eventually(() => mails(/SLA warning: dc1\/sbc-1 down for 2s/, id).length > 0, 10_000, 20);
    expect(smtp.mails.filter((m) => isFiring(m, 'DeviceDown'))).toHaveLength(1);
    await kpid.stop('SIGKILL');
    const killedAt = Date.now();
    // Killed with the 10 s warning still ahead (margin for a loaded machine).
    expect(killedAt - start).toBeLessThan(9_000);
    const mailsAtKill = smtp.mails.length;

    // Back only after the 10 s warning fell due: it is overdue at restart.
    await new Promise((r) => setTimeout(r, Math.max(0, start + 11_000 - Date.now())));
    expect(smtp.mails.length, 'nothing is sent while kpid is dead').toBe(mailsAtKill);
    kpid = await startKpid(text);
    const restartedAt = Date.now();

    // Overdue means at once: a clock restarted at the restart would send it 10 s later.
    const [warn10] = await eventually(() => {
      const m = mails(/SLA warning: dc1\/sbc-1 down for 10s/, id);
      return m.length > 0 && m;
    }, 15_000, 20);
    expect(warn10!.at - restartedAt).toBeLessThan(6_000);

    const askedAt = Date.now();
    const [after] = await outagesOf(kpid);
    expect(after).toMatchObject({ id, state: 'open', startedAt: opened!.startedAt, sla: { warningsSentSeconds: [2, 10] } });
    // Not breached yet, if asked before the breach fell due: a loaded machine may take that long to restart kpid.
    if (askedAt < start + 19_000) expect(after!.sla.breached).toBe(false);
    expect(await outagesOf(kpid), 'one outage, not a second one opened at restart').toHaveLength(1);
    // The mail tells on-call the true start, not the restart.
    expect(plain(warn10!)).toContain(`Since:  ${sinceStamp(opened!.startedAt)}, `);
    expect(plain(warn10!)).toContain(`Id:     outage ${id}`);

    // The breach falls due 20 s after the true start (about 9 s after the restart), not 20 s after the restart.
    const [breach] = await eventually(() => {
      const m = mails(/SLA breached: dc1\/sbc-1/, id);
      return m.length > 0 && m;
    }, 30_000, 50);
    expect(breach!.at - start).toBeGreaterThanOrEqual(20_000);
    expect(plain(breach!)).toContain(`down since ${opened!.startedAt}`);
    expect(breach!.at - restartedAt).toBeLessThan(15_000);

    // Long enough for a late duplicate of any of them to show up.
    await new Promise((r) => setTimeout(r, 2_000));
    const count = (m: ReceivedMail[]) => m.length;
    expect({
      firing: count(smtp.mails.filter((m) => isFiring(m, 'DeviceDown'))),
      warn2: count(mails(/SLA warning: dc1\/sbc-1 down for 2s/, id)),
      warn10: count(mails(/SLA warning: dc1\/sbc-1 down for 10s/, id)),
      breach: count(mails(/SLA breached: dc1\/sbc-1/, id)),
    }).toEqual({ firing: 1, warn2: 1, warn10: 1, breach: 1 });
    expect((await outagesOf(kpid))[0]).toMatchObject({ id, startedAt: opened!.startedAt, sla: { warningsSentSeconds: [2, 10], breached: true } });
  }, 90_000);
});
