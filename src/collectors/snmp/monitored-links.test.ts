import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { snmpTarget } from './snmp-config.js';
import { snmpOptions } from './snmp-options.js';
import { FakeClock } from '../../core/clock.js';
import type { LinksSeenUp } from '../../core/links-seen-up.js';
import { silentLogger } from '../../core/logger.js';
import type { Sample } from '../../core/sample.js';
import type { Target } from '../../core/target.js';
import { isMonitored } from './monitored-links.js';
import { RecordedSession, type RecordedWalk } from './recorded-session.js';
import { SnmpCollector } from './snmp-collector.js';

// snmpd-edge-t0.json: Gi0/1 "uplink to core-1" up, Gi0/2 (no alias) admin up and oper down, Te1/1 "backbone" up.
const walk = (name: string): RecordedWalk =>
  JSON.parse(readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8')) as RecordedWalk;
const OPER_STATUS = '1.3.6.1.2.1.2.2.1.8.';
/** The same walk with one interface's ifOperStatus set (1 up, 2 down). */
const withOper = (w: RecordedWalk, ifIndex: number, status: number): RecordedWalk => ({
  ...w, varbinds: w.varbinds.map((vb) => (vb.oid === `${OPER_STATUS}${ifIndex}` ? { ...vb, value: status } : vb)),
});
const target: Target = { name: 'edge-1', site: 'lab', address: '127.0.0.1', labels: { role: 'access' }, interval: 30_000, timeout: 10_000, probes: [] };
const signal = new AbortController().signal;
const monitored = (samples: Sample[]) =>
  Object.fromEntries(samples.filter((s) => s.measurement === 'interface').map((s) => [s.tags.interface, s.fields.monitored]));

/** The state store's part, in memory: the SQLite and Redis stores pass the same contract (test/helpers/state-store-contract.ts). */
class MemoryLinks implements LinksSeenUp {
  readonly links = new Map<string, number>();
  async linksSeenUp() {
    return [...this.links.keys()];
  }
  async rememberLinkSeenUp(link: string, at: number) {
    if (!this.links.has(link)) this.links.set(link, at);
  }
}

async function poll(walks: RecordedWalk[], store: LinksSeenUp, interfaces: object = {}) {
  const session = new RecordedSession(walks[0]!);
  const clock = new FakeClock(walks[0]!.at);
  const collector = new SnmpCollector({ log: silentLogger(), clock, openSession: () => session, linksSeenUp: store });
  const spec = snmpTarget.parse({ community: 'public', interfaces });
  const results: Record<string, number | undefined>[] = [];
  for (const w of walks) {
    session.load(w);
    results.push(monitored(await collector.collect(target, spec, signal)));
    clock.advance(30_000);
  }
  return results;
}

describe('which links interface rules may alert on (the monitored field)', () => {
  it('a port never seen up is not monitored; the ports that are up are, and are remembered in the store', async () => {
    const store = new MemoryLinks();
    const [first] = await poll([walk('snmpd-edge-t0.json')], store);
    expect(first).toEqual({ 'Gi0/1': 1, 'Gi0/2': 0, 'Te1/1': 1 });
    expect([...store.links.keys()].sort()).toEqual(['edge-1/Gi0/1', 'edge-1/Te1/1']);
  });

  it('a link seen up that goes down stays monitored, so its LinkDown pages', async () => {
    const t0 = walk('snmpd-edge-t0.json');
    const [, second] = await poll([t0, withOper({ ...t0, at: t0.at + 30_000 }, 1, 2)], new MemoryLinks());
    expect(second).toMatchObject({ 'Gi0/1': 1 });
  });

  it('after a restart a link cut before it is still monitored: the store remembers it was up', async () => {
    const t0 = walk('snmpd-edge-t0.json');
    const store = new MemoryLinks();
    await poll([t0], store);
    // A new collector (a restarted kpid) whose first poll finds Gi0/1 down.
    const [afterRestart] = await poll([withOper(t0, 1, 2)], store);
    expect(afterRestart).toEqual({ 'Gi0/1': 1, 'Gi0/2': 0, 'Te1/1': 1 });
  });

  it('in a cluster, a target handed back reads the store again: what the other instance saw up counts', async () => {
    const t0 = walk('snmpd-edge-t0.json');
    const store = new MemoryLinks();
    const spec = snmpTarget.parse({ community: 'public' });
    const session = new RecordedSession(withOper(t0, 1, 2));
    const b = new SnmpCollector({ log: silentLogger(), clock: new FakeClock(t0.at), openSession: () => session, linksSeenUp: store });
    expect(monitored(await b.collect(target, spec, signal))['Gi0/1']).toBe(0);
    b.forget(target.name); // handed to another instance, which sees Gi0/1 up
    await poll([t0], store);
    session.load(withOper(t0, 1, 2)); // handed back during a cut
    expect(monitored(await b.collect(target, spec, signal))['Gi0/1']).toBe(1);
  });

  it('a target that leaves the config takes its links out of memory: without a store, added back it starts afresh', async () => {
    const t0 = walk('snmpd-edge-t0.json');
    const spec = snmpTarget.parse({ community: 'public' });
    const session = new RecordedSession(t0);
    const c = new SnmpCollector({ log: silentLogger(), clock: new FakeClock(t0.at), openSession: () => session });
    expect(monitored(await c.collect(target, spec, signal))['Gi0/1']).toBe(1);
    c.forget(target.name);
    session.load(withOper(t0, 1, 2));
    expect(monitored(await c.collect(target, spec, signal))['Gi0/1']).toBe(0);
  });

  it('must_be_up makes a link down from the start monitored; never_alert wins over everything', async () => {
    const t0 = walk('snmpd-edge-t0.json');
    const [first] = await poll([withOper(t0, 1, 2)], new MemoryLinks(), {
      must_be_up: [{ alias: '^uplink' }],
      never_alert: [{ name: '^Te' }],
    });
    expect(first).toEqual({ 'Gi0/1': 1, 'Gi0/2': 0, 'Te1/1': 0 });
  });

  it('a store that cannot be read does not stop polling: links seen up by this process still count', async () => {
    const broken: LinksSeenUp = { linksSeenUp: () => Promise.reject(new Error('redis down')), rememberLinkSeenUp: () => Promise.reject(new Error('redis down')) };
    const t0 = walk('snmpd-edge-t0.json');
    const [, second] = await poll([t0, withOper({ ...t0, at: t0.at + 30_000 }, 1, 2)], broken);
    expect(second).toEqual({ 'Gi0/1': 1, 'Gi0/2': 0, 'Te1/1': 1 });
  });
});

describe('link matchers (name, alias, descr, labels: all given must match)', () => {
  const cfg = (over: object) => snmpOptions(snmpTarget.parse({ community: 'public', interfaces: over })).interfaces;
  const link = { name: 'Gi0/2', alias: 'CUST-4711 bank', descr: 'GigabitEthernet0/2', labels: { target: 'edge-1', site: 'lab', role: 'access' } };

  it('selects by alias, descr and labels, as Zabbix and LibreNMS users do', () => {
    expect(isMonitored(cfg({ must_be_up: [{ alias: '^CUST-' }] }), link, false)).toBe(true);
    expect(isMonitored(cfg({ must_be_up: [{ descr: 'Gigabit', labels: { role: 'access' } }] }), link, false)).toBe(true);
    expect(isMonitored(cfg({ must_be_up: [{ alias: '^CUST-', labels: { role: 'core' } }] }), link, false)).toBe(false);
    expect(isMonitored(cfg({ never_alert: [{ labels: { site: 'lab' } }] }), link, true)).toBe(false);
  });

  it('a matcher with no key is refused at load', () => {
    expect(() => cfg({ must_be_up: [{}] })).toThrow(/needs name, alias, descr or labels/);
  });
});
