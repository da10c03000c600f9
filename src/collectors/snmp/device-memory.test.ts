import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { snmpTarget } from './snmp-config.js';
import { snmpOptions } from './snmp-options.js';
import { FakeClock } from '../../core/clock.js';
import type { Target } from '../../core/target.js';
import { emptyMemory, pollDevice } from './device-poll.js';
import { RecordedSession, type RecordedWalk } from './recorded-session.js';

// snmpd-edge-t0.json: interfaces 1 (Gi0/1), 2 (Gi0/2) and 3 (Te1/1).
const t0 = JSON.parse(readFileSync(new URL('./testdata/snmpd-edge-t0.json', import.meta.url), 'utf8')) as RecordedWalk;
/** The same walk with one ifIndex gone from ifTable and ifXTable, as when a line card is pulled. */
const without = (w: RecordedWalk, ifIndex: number): RecordedWalk => ({
  ...w, varbinds: w.varbinds.filter((vb) => !/^1\.3\.6\.1\.2\.1\.(2\.2\.1|31\.1\.1\.1)\.\d+\.(\d+)$/.test(vb.oid) || !vb.oid.endsWith(`.${ifIndex}`)),
});
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
});
