import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import type { Target } from '../../core/target.js';
import { emptyMemory, pollDevice } from './device-poll.js';
import { InterfaceTable } from './interface-table.js';
import { IF_MIB } from './oids.js';
import { RecordedSession, type RecordedWalk } from './recorded-session.js';
import { snmpTarget } from './snmp-config.js';
import { snmpOptions } from './snmp-options.js';
import { SnmpType, ValueError, type RawVarbind } from './varbind-values.js';

const vb = (column: string, index: string, type: number, value: unknown): RawVarbind => ({ oid: `${column}.${index}`, type, value });
const text = (s: string) => Buffer.from(s);

describe('the interface table, built as the walks answer', () => {
  it('a 64-bit counter wins over the 32-bit one of the same row, whichever answer arrives first', () => {
    const table = new InterfaceTable();
    table.take(IF_MIB.ifInOctets, '1', vb(IF_MIB.ifInOctets, '1', SnmpType.Counter32, 7), 100);
    table.take(IF_MIB.ifHCInOctets, '1', vb(IF_MIB.ifHCInOctets, '1', SnmpType.Counter64, Buffer.from([0x01, 0x00])), 200);
    table.take(IF_MIB.ifHCInOctets, '2', vb(IF_MIB.ifHCInOctets, '2', SnmpType.Counter64, Buffer.from([0x05])), 300);
    table.take(IF_MIB.ifInOctets, '2', vb(IF_MIB.ifInOctets, '2', SnmpType.Counter32, 9), 400);
    const [one, two] = table.rows();
    expect(table.counters.reading(one!.slot, 'in_octets')).toEqual({ value: 256n, bits: 64, at: 200 });
    expect(table.counters.reading(two!.slot, 'in_octets')).toEqual({ value: 5n, bits: 64, at: 300 });
  });

  it('has a row for every ifIndex any column answered, in ifIndex order, named by ifName, else ifDescr, else its index', () => {
    const table = new InterfaceTable();
    table.take(IF_MIB.ifDescr, '10', vb(IF_MIB.ifDescr, '10', SnmpType.OctetString, text('GigabitEthernet0/10')), 1);
    table.take(IF_MIB.ifName, '2', vb(IF_MIB.ifName, '2', SnmpType.OctetString, text('Gi0/2')), 1);
    table.take(IF_MIB.ifDescr, '2', vb(IF_MIB.ifDescr, '2', SnmpType.OctetString, text('GigabitEthernet0/2')), 1);
    table.take(IF_MIB.ifOperStatus, '9', vb(IF_MIB.ifOperStatus, '9', SnmpType.Integer, 1), 1);
    expect(table.rows().map((r) => [r.index, r.name, r.descr, r.operStatus])).toEqual([
      ['2', 'Gi0/2', 'GigabitEthernet0/2', undefined],
      ['9', 'ifIndex 9', '', 1],
      ['10', 'GigabitEthernet0/10', 'GigabitEthernet0/10', undefined],
    ]);
    expect([table.rowsOf(IF_MIB.ifDescr), table.rowsOf(IF_MIB.ifHCInOctets)]).toEqual([2, 0]);
  });

  it('a value of the wrong type fails the walk that brought it, naming its OID', () => {
    const table = new InterfaceTable();
    const err = (() => {
      try {
        table.take(IF_MIB.ifHCOutOctets, '3', vb(IF_MIB.ifHCOutOctets, '3', SnmpType.OctetString, text('x')), 1);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ValueError);
    expect([(err as ValueError).reason, (err as ValueError).oid]).toEqual(['wrong_type', `${IF_MIB.ifHCOutOctets}.3`]);
  });
});

describe('an SNMPv2c agent without ifXTable', () => {
  // snmpd-edge-t0.json: interfaces 1 (Gi0/1), 2 (Gi0/2) and 3 (Te1/1), with both ifTable and ifXTable.
  const t0 = JSON.parse(readFileSync(new URL('./testdata/snmpd-edge-t0.json', import.meta.url), 'utf8')) as RecordedWalk;
  const noIfX: RecordedWalk = { ...t0, varbinds: t0.varbinds.filter((v) => !v.oid.startsWith('1.3.6.1.2.1.31.')) };
  const target: Target = { name: 'old-1', site: 'lab', address: '127.0.0.1', labels: {}, interval: 30_000, timeout: 10_000, probes: [] };
  const spec = snmpOptions(snmpTarget.parse({ community: 'public', modules: ['system', 'interfaces'] }));

  it('is read from the 32-bit ifTable counters from its first poll on, its interfaces named by ifDescr', async () => {
    const session = new RecordedSession(noIfX);
    const clock = new FakeClock(t0.at);
    const first = await pollDevice(session, target, spec, emptyMemory(), clock, new AbortController().signal);
    expect(first.memory.legacyCounters).toBe(true);
    const one = first.memory.interfaces.get('1')!;
    expect(first.memory.counters.reading(one.slot, 'in_octets')).toMatchObject({ value: 2706981398n, bits: 32 });
    expect(first.samples.filter((s) => s.measurement === 'interface').map((s) => s.tags.interface))
      .toEqual(['GigabitEthernet0/1', 'GigabitEthernet0/2', 'TenGigabitEthernet1/1']);
  });
});
