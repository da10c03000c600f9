import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { snmpTarget } from './snmp-config.js';
import { snmpOptions } from './snmp-options.js';
import { FakeClock } from '../../core/clock.js';
import type { Target } from '../../core/target.js';
import { emptyMemory, pollDevice } from './device-poll.js';
import type { Sample } from '../../core/sample.js';
import { IF_MIB } from './oids.js';
import { RecordedSession, type RecordedWalk } from './recorded-session.js';

// snmpd-edge-t0.json: interfaces 1 (Gi0/1), 2 (Gi0/2) and 3 (Te1/1).
const t0 = JSON.parse(readFileSync(new URL('./testdata/snmpd-edge-t0.json', import.meta.url), 'utf8')) as RecordedWalk;
/** The same walk with one ifIndex gone from ifTable and ifXTable, as when a line card is pulled. */
const without = (w: RecordedWalk, ifIndex: number): RecordedWalk => ({
  ...w, varbinds: w.varbinds.filter((vb) => !/^1\.3\.6\.1\.2\.1\.(2\.2\.1|31\.1\.1\.1)\.\d+\.(\d+)$/.test(vb.oid) || !vb.oid.endsWith(`.${ifIndex}`)),
});
/** The same walk with ifIndex `from` answering as `to`, as when a card is swapped and its ports renumbered. */
const renumbered = (w: RecordedWalk, from: number, to: number): RecordedWalk => ({
  ...w, varbinds: w.varbinds.map((vb) => /^1\.3\.6\.1\.2\.1\.(2\.2\.1|31\.1\.1\.1)\.\d+\.(\d+)$/.test(vb.oid) && vb.oid.endsWith(`.${from}`)
    ? { ...vb, oid: vb.oid.slice(0, -String(from).length) + String(to) } : vb),
});
/** The same walk without one column's answer for one ifIndex. */
const withoutCell = (w: RecordedWalk, column: string, ifIndex: number): RecordedWalk => ({
  ...w, varbinds: w.varbinds.filter((vb) => vb.oid !== `${column}.${ifIndex}`),
});
const t1 = JSON.parse(readFileSync(new URL('./testdata/snmpd-edge-t1.json', import.meta.url), 'utf8')) as RecordedWalk;
const fieldsOf = (samples: Sample[]) => new Map(samples.filter((s) => s.measurement === 'interface').map((s) => [s.tags.ifindex, s.fields]));
const target: Target = { name: 'edge-1', site: 'lab', address: '127.0.0.1', labels: {}, interval: 30_000, timeout: 10_000, probes: [] };
const spec = snmpOptions(snmpTarget.parse({ community: 'public', modules: ['system', 'interfaces'] }));
const signal = new AbortController().signal;

describe('the counters the SNMP collector keeps per device', () => {
  it('an interface gone from the table leaves the rate baseline at the next poll: memory holds only the rows last seen', async () => {
    const session = new RecordedSession(t0);
    const clock = new FakeClock(t0.at);
    const first = await pollDevice(session, target, spec, emptyMemory(), clock, signal);
    expect([...first.memory.interfaces.keys()].sort()).toEqual(['1', '2', '3']);
    session.load(without(t0, 2));
    const second = await pollDevice(session, target, spec, first.memory, clock, signal);
    expect([...second.memory.interfaces.keys()].sort()).toEqual(['1', '3']);
    expect(second.samples.filter((s) => s.measurement === 'interface').map((s) => s.tags.interface).sort()).toEqual(['Gi0/1', 'Te1/1']);
  });

  it('an ifIndex new at this poll has no rates, though its slot held another interface\'s counters at the last poll', async () => {
    const session = new RecordedSession(t0);
    const clock = new FakeClock(t0.at);
    // Gi0/2 (ifIndex 2) is walked, its counters stored, but filtered out: it keeps no slot.
    const excluding = snmpOptions(snmpTarget.parse({ community: 'public', modules: ['system', 'interfaces'], interfaces: { exclude: '^Gi0/2$' } }));
    const first = await pollDevice(session, target, excluding, emptyMemory(), clock, signal);
    expect([...first.memory.interfaces.keys()].sort()).toEqual(['1', '3']);
    // The filter is lifted and ifIndex 2 answers as 4, with 2's counters: 4 takes the slot 2's counters sat in.
    session.load(renumbered(t0, 2, 4));
    clock.advance(5_000);
    const second = await pollDevice(session, target, spec, first.memory, clock, signal);
    expect(second.memory.interfaces.get('4')!.slot).toBe(1);
    const fields = fieldsOf(second.samples);
    expect(fields.get('4')).not.toHaveProperty('in_bytes');
    expect(fields.get('1')).toMatchObject({ in_bytes: 0, in_bps: 0 });
    // From the next poll on it has rates, against its own counters.
    session.load(renumbered(t1, 2, 4));
    clock.advance(t1.at - t0.at);
    expect(fieldsOf((await pollDevice(session, target, spec, second.memory, clock, signal)).samples).get('4')).toHaveProperty('in_bytes', 0);
  });

  it('a counter the agent stops answering has no rate: nothing of an earlier poll stands in for it', async () => {
    const session = new RecordedSession(t0);
    const clock = new FakeClock(t0.at);
    const first = await pollDevice(session, target, spec, emptyMemory(), clock, signal);
    session.load(t1);
    clock.advance(t1.at - t0.at);
    const second = await pollDevice(session, target, spec, first.memory, clock, signal);
    session.load(withoutCell(t1, IF_MIB.ifHCInOctets, 1));
    clock.advance(5_000);
    const third = await pollDevice(session, target, spec, second.memory, clock, signal);
    expect(fieldsOf(third.samples).get('1')).not.toHaveProperty('in_bytes');
    expect(fieldsOf(third.samples).get('1')).toMatchObject({ out_bytes: 0 });
    expect(third.samples.find((s) => s.measurement === 'device')!.fields.counter_resets).toBe(0);
  });
});
