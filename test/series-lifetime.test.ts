import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startKpid, type KpidProcess } from './helpers/kpid-process.js';
import { startSnmpd, type FakeInterface, type Snmpd } from './helpers/snmpd.js';

const UPLINK: FakeInterface = { index: 1, name: 'Gi0/1', ifHighSpeed: 1000, inBytesPerSec: 1_000_000 };
/** Admin up, oper down: InterfaceDown fires on it from the first poll. */
const DOWN: FakeInterface = { index: 2, name: 'Gi0/2', oper: 2, ifHighSpeed: 1000 };

const RULES = `groups:
  - name: links
    rules:
      - alert: InterfaceDown
        select: { measurement: interface }
        value: { field: oper_up }
        when: "= 0"
        severity: critical
`;

function config(port: number, ruleFile: string, targets: readonly string[]): string {
  return `server:
  listen: "127.0.0.1:0"
rules: [ "${ruleFile}" ]
ingest:
  series_idle_expiry: 10s
targets:
${targets.map((name) => `  - name: ${name}
    address: 127.0.0.1
    interval: 1s
    timeout: 500ms
    snmp: { community: public, port: ${port}, modules: [system, interfaces], confirm: { attempts: 0 } }`).join('\n')}
`;
}

type AlertsJson = { alerts: Array<{ rule: string; labels: Record<string, string> }> };

/**
 * Issue 15, series that leave: the real daemon, polling Debian snmpd every
 * second (series live 3 s), read over HTTP. Every wait polls with a
 * generous timeout; nothing is timed.
 */
describe('series that leave are forgotten by the running daemon', () => {
  let agent: Snmpd;
  let kpid: KpidProcess;
  let ruleFile: string;
  beforeAll(async () => {
    agent = await startSnmpd({ interfaces: [UPLINK, DOWN] });
    ruleFile = join(mkdtempSync(join(tmpdir(), 'kpid-lifetime-rules-')), 'links.yaml');
    writeFileSync(ruleFile, RULES);
    kpid = await startKpid(config(agent.port, ruleFile, ['edge-1', 'edge-2']));
  });
  afterAll(async () => {
    await kpid?.stop();
    await agent?.stop();
  });

  const lines = async (text: string) => (await kpid.metrics()).split('\n').filter((l) => !l.startsWith('#') && l.includes(text));
  const alerts = async () => ((await (await fetch(`${kpid.url}/api/v1/alerts`)).json()) as AlertsJson).alerts;

  it('an interface that disappears from the ifTable leaves /metrics after its lifetime, and its alert resolves', async () => {
    await eventually(async () => (await lines('interface="Gi0/2"')).length >= 6, 30_000);
    await eventually(async () => (await alerts()).filter((a) => a.labels.interface === 'Gi0/2').length === 2, 30_000);
    agent.serve([UPLINK]);
    await eventually(async () => (await lines('interface="Gi0/2"')).length === 0, 30_000);
    await eventually(async () => (await alerts()).length === 0, 30_000);
    // The interface still in the table stays.
    expect(await lines('target="edge-1",interface="Gi0/1"')).not.toEqual([]);
  });

  it('pushed series whose tags change do not pile up: each leaves /metrics once not pushed for ingest.series_idle_expiry', async () => {
    const body = [0, 1, 2, 3, 4].map((i) => `probe,target=pusher,probe=p${i} success=1\n`).join('');
    const pushed = await fetch(`${kpid.url}/api/v1/ingest`, { method: 'POST', body });
    expect(await pushed.json()).toMatchObject({ accepted: 5 });
    expect(await lines('target="pusher"')).toHaveLength(5);
    await eventually(async () => (await lines('target="pusher"')).length === 0, 60_000);
    await eventually(async () => (await lines('kpid_ingest_series ')).join() === 'kpid_ingest_series 0', 60_000);
  });

  it('a target removed at reload leaves no series at once', async () => {
    writeFileSync(kpid.configFile, config(agent.port, ruleFile, ['edge-1']));
    kpid.proc.kill('SIGHUP');
    await kpid.waitForLog((l) => l.msg === 'config reloaded');
    expect(await lines('target="edge-2"')).toEqual([]);
    expect(await lines('target="edge-1"')).not.toEqual([]);
  });
});
