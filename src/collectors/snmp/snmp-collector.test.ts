import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { snmpTarget } from './snmp-config.js';
import { FakeClock, flushMicrotasks } from '../../core/clock.js';
import { CollectorError } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import type { Sample } from '../../core/sample.js';
import type { Target } from '../../core/target.js';
import { RecordedSession, type RecordedWalk } from './recorded-session.js';
import { SnmpCollector } from './snmp-collector.js';

const walk = (name: string): RecordedWalk =>
  JSON.parse(readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8')) as RecordedWalk;
const target: Target = { name: 'edge-1', site: 'lab', address: '127.0.0.1', labels: {}, interval: 30_000, timeout: 10_000, probes: [] };
const spec = snmpTarget.parse({ community: 'public', confirm: { attempts: 2, delay: '1s' } });
const signal = new AbortController().signal;
const ifs = (samples: Sample[]) => new Map(samples.filter((s) => s.measurement === 'interface').map((s) => [s.tags.interface, s.fields]));

describe('SnmpCollector replaying walks recorded from snmpd (testdata/)', () => {
  it('rates between two recorded walks match the agent\'s configured rates within 1 %', async () => {
    const t0 = walk('snmpd-edge-t0.json');
    const t1 = walk('snmpd-edge-t1.json');
    const session = new RecordedSession(t0);
    const clock = new FakeClock(t0.at);
    const collector = new SnmpCollector({ log: silentLogger(), clock, openSession: () => session });
    await collector.collect(target, spec, signal);
    session.load(t1);
    clock.advance(t1.at - t0.at);
    const fields = ifs(await collector.collect(target, spec, signal));
    // snmpd-ifmib.pl was serving Gi0/1 at 1.25 MB/s in, 250 kB/s out; Te1/1 at 500 MB/s from a base above 2^63.
    expect(Math.abs(fields.get('Gi0/1')!.in_bps! / 10e6 - 1)).toBeLessThan(0.01);
    expect(Math.abs(fields.get('Gi0/1')!.out_bps! / 2e6 - 1)).toBeLessThan(0.01);
    expect(Math.abs(fields.get('Te1/1')!.in_bps! / 4e9 - 1)).toBeLessThan(0.01);
    expect(fields.get('Te1/1')!.speed_bps).toBe(10e9);
    expect(fields.get('Gi0/2')).toMatchObject({ oper_up: 0, admin_up: 1, in_bps: 0 });
  });
});

describe('confirmation re-polls (default 2, 1 s apart)', () => {
  const cases: Array<[string, number, 'ok' | 'timeout', number]> = [
    // [case, failed attempts before the agent answers, outcome, requests sent to the system group]
    ['an answer at once needs no confirmation', 0, 'ok', 1],
    ['one lost poll is confirmed away: no failure reported', 1, 'ok', 2],
    ['an answer on the last confirmation still counts', 2, 'ok', 3],
    ['three attempts without an answer: the device is declared unreachable', 3, 'timeout', 3],
  ];
  it.each(cases)('%s', async (_name, failures, outcome, attempts) => {
    const session = new RecordedSession(walk('snmpd-edge-t0.json'));
    const clock = new FakeClock();
    const collector = new SnmpCollector({ log: silentLogger(), clock, openSession: () => session });
    let getCalls = 0;
    const get = session.get.bind(session);
    session.get = async (oids) => {
      session.silent = ++getCalls <= failures;
      return get(oids);
    };
    const result = collector.collect(target, spec, signal).then((s) => ({ ok: s }), (e: CollectorError) => ({ err: e }));
    // Confirmations wait on the injected clock: 2 × 1 s, no wall-clock sleep.
    for (let i = 0; i < 3; i++) {
      await flushMicrotasks();
      clock.advance(1000);
    }
    const r = await result;
    expect(getCalls).toBe(attempts);
    if (outcome === 'ok') {
      expect('ok' in r).toBe(true);
    } else {
      const err = (r as { err: CollectorError }).err;
      expect(err.reason).toBe('timeout');
      // One miss per attempt, each at the instant it was sent: the poll alone meets "3 polls without an answer".
      expect(err.samples).toEqual([0, 1000, 2000].map((dt) =>
        expect.objectContaining({ measurement: 'device', fields: { up: 0 }, time: Date.UTC(2026, 0, 1) + dt })));
    }
  });
});

describe('logging', () => {
  it('logs once per target per change of state, never once per poll', async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const log = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) });
    const session = new RecordedSession(walk('snmpd-edge-t0.json'));
    const clock = new FakeClock();
    const collector = new SnmpCollector({ log, clock, openSession: () => session });
    const noConfirm = snmpTarget.parse({ community: 'public', confirm: { attempts: 0 } });
    const poll = () => collector.collect(target, noConfirm, signal).catch(() => undefined);
    await poll();
    session.silent = true;
    for (let i = 0; i < 4; i++) await poll();
    session.silent = false;
    for (let i = 0; i < 3; i++) await poll();
    const warnings = lines.filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toContain('edge-1');
    expect(warnings[0]!.msg).toContain('1.3.6.1.2.1.1.3.0');
    expect(lines.filter((l) => l.msg === 'SNMP polls answered again')).toHaveLength(1);
  });

  it('re-polls that do not fit the interval are cut to fit, with one warning that gives the figures', async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const log = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) });
    const session = new RecordedSession(walk('snmpd-edge-t0.json'));
    const collector = new SnmpCollector({ log, clock: new FakeClock(), openSession: () => session });
    const fast: Target = { ...target, interval: 5_000, timeout: 1_000 };
    for (let i = 0; i < 3; i++) await collector.collect(fast, spec, signal);
    const warnings = lines.filter((l) => l.level === 40).map((l) => l.msg);
    expect(warnings).toEqual(['target "edge-1": 2 confirmation re-poll(s) 1000 ms apart (2 × 1000 ms per attempt) do not fit in the 5000 ms interval: '
      + '1 re-poll(s) 250 ms apart instead, so the poll ends before its next turn']);
  });
});
