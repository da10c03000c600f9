import { describe, expect, it } from 'vitest';
import { slotAllocator } from './interface-counters.js';
import { interfaceRates } from './interface-rates.js';
import { InterfaceTable } from './interface-table.js';
import { IF_MIB } from './oids.js';
import { SnmpType, type RawVarbind } from './varbind-values.js';

/** ifHCInOctets.1 as an agent sends it: the shortest big-endian octets, a leading 0x00 when the top bit is set. */
const hc = (v: bigint): RawVarbind => {
  let hex = v.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (Number.parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  return { oid: `${IF_MIB.ifHCInOctets}.1`, type: SnmpType.Counter64, value: Buffer.from(hex, 'hex') };
};
const legacy = (v: number): RawVarbind => ({ oid: `${IF_MIB.ifInOctets}.1`, type: SnmpType.Counter32, value: v });

/** The in_octets counter of ifIndex 1 read at `secs`, through the table as a walk hands it over. */
function poll(vb: RawVarbind, secs: number): InterfaceTable {
  const table = new InterfaceTable();
  const column = vb.type === SnmpType.Counter64 ? IF_MIB.ifHCInOctets : IF_MIB.ifInOctets;
  table.take(column, '1', vb, secs * 1000);
  return table;
}
const rates = (a: InterfaceTable, b: InterfaceTable) =>
  interfaceRates(a.counters, a.rows()[0]!.slot, b.counters, b.rows()[0]!.slot, undefined);

describe('interface counters kept in typed arrays, between two polls', () => {
  it.each([
    // 2^53 + 1 is not a double: values read as doubles would say 4.
    ['just above 2^53', 2n ** 53n + 1n, 2n ** 53n + 4n, 3],
    ['above 2^63, as a 9-byte Counter64', 2n ** 63n + 5n, 2n ** 63n + 5n + 1_250_000_000n, 1_250_000_000],
    ['up to 2^64 − 1', 2n ** 64n - 1n - 4_000_000_000_000n, 2n ** 64n - 1n, 4_000_000_000_000],
    ['across a high word (2^32)', 2n ** 32n - 1n, 2n ** 32n + 1n, 2],
  ])('a Counter64 %s gives its exact increase', (_n, before, after, bytes) => {
    const r = rates(poll(hc(before), 0), poll(hc(after), 10));
    expect(r.fields.in_bytes).toBe(bytes);
    expect(r.fields.in_bps).toBe((bytes * 8) / 10);
  });

  it('a 32-bit counter that wraps yields its true increase', () => {
    expect(rates(poll(legacy(2 ** 32 - 10), 0), poll(legacy(5), 1)).fields.in_bytes).toBe(15);
  });

  it('a Counter64 that goes backwards is a reset, not a wrap', () => {
    expect(rates(poll(hc(2n ** 40n), 0), poll(hc(2n ** 40n - 1n), 1))).toEqual({ fields: {}, resets: 1, discarded: 0 });
  });

  it('a counter read as 32 bits at one poll and 64 at the next is a reset', () => {
    expect(rates(poll(legacy(100), 0), poll(hc(200n), 1))).toEqual({ fields: {}, resets: 1, discarded: 0 });
  });

  it('each counter divides by the time between its own two answers', () => {
    // in_octets read at 0 and 10 s, out_octets at 0 and 4 s: a slow walk of a big table.
    const a = poll(hc(0n), 0);
    const b = poll(hc(1000n), 10);
    a.take(IF_MIB.ifHCOutOctets, '1', { oid: `${IF_MIB.ifHCOutOctets}.1`, type: SnmpType.Counter64, value: Buffer.from([0]) }, 0);
    b.take(IF_MIB.ifHCOutOctets, '1', { oid: `${IF_MIB.ifHCOutOctets}.1`, type: SnmpType.Counter64, value: Buffer.from([100]) }, 4_000);
    expect(rates(a, b).fields).toMatchObject({ in_bps: 800, out_bps: 200 });
  });
});

describe('slotAllocator: where an ifIndex keeps its counters', () => {
  it('an ifIndex kept from the last poll keeps its slot; a new one takes the lowest slot no kept interface holds', () => {
    const kept = new Map([['1', { slot: 0 }], ['7', { slot: 2 }], ['9', { slot: 3 }]]);
    const slotOf = slotAllocator(kept);
    expect(['9', '4', '1', '5', '6', '7'].map(slotOf)).toEqual([3, 1, 0, 4, 5, 2]);
  });

  it('without a last poll, slots follow the order of arrival', () => {
    const slotOf = slotAllocator(new Map());
    expect(['10', '2', '3'].map(slotOf)).toEqual([0, 1, 2]);
  });
});
