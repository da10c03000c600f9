import { describe, expect, it } from 'vitest';
import { counterNumber, InterfaceCounters, type InterfaceCounterName } from './interface-counters.js';
import { interfaceRates as ratesAt, interfaceSpeed } from './interface-rates.js';
import { SnmpType, type RawVarbind } from './varbind-values.js';

/** A counter as an agent answers it: Counter64 as its 8 content octets, Counter32 as a number. */
const c64 = (v: bigint | number): RawVarbind => {
  const value = Buffer.alloc(8);
  value.writeBigUInt64BE(BigInt(v));
  return { oid: '1.3.6.1.2.1.31.1.1.1.6.1', type: SnmpType.Counter64, value };
};
const c32 = (v: bigint | number): RawVarbind => ({ oid: '1.3.6.1.2.1.2.2.1.10.1', type: SnmpType.Counter32, value: Number(v) });
type Readings = Partial<Record<InterfaceCounterName, RawVarbind>>;
/** One interface's counters at one poll, each read at `at` or at its own time in `times`, in a store of its own at slot 3. */
const poll = (counters: Readings, at: number, times: Partial<Record<InterfaceCounterName, number>> = {}) => {
  const store = new InterfaceCounters();
  for (const [name, vb] of Object.entries(counters) as [InterfaceCounterName, RawVarbind][]) {
    store.read(3, counterNumber(name), vb, times[name] ?? at, false);
  }
  return store;
};
const snap = (counters: Readings, secs: number) => poll(counters, 1_000_000 + secs * 1000);
const interfaceRates = (prev: InterfaceCounters, cur: InterfaceCounters, speedBps: number | undefined) => ratesAt(prev, 3, cur, 3, speedBps);
const GBIT = 1e9;

describe('interfaceSpeed', () => {
  it.each([
    ['ifHighSpeed (Mbit/s) wins', 1_000_000_000, 10_000, 10e9],
    ['ifSpeed when ifHighSpeed is 0', 100_000_000, 0, 100e6],
    ['ifSpeed when ifHighSpeed is absent', 10_000_000, undefined, 10e6],
    ['unknown when both are 0', 0, 0, undefined],
    ['unknown when ifSpeed is saturated and there is no ifHighSpeed', 4_294_967_295, undefined, undefined],
  ] as const)('%s', (_n, speed, high, expected) => {
    expect(interfaceSpeed(speed, high)).toBe(expected);
  });
});

describe('interfaceRates', () => {
  it('octets become bits per second over the local interval, and utilisation against the speed', () => {
    const r = interfaceRates(
      snap({ in_octets: c64(1_000), out_octets: c64(0) }, 0),
      snap({ in_octets: c64(1_000 + 1_250_000 * 30), out_octets: c64(125_000 * 30) }, 30),
      GBIT,
    );
    expect(r.fields.in_bps).toBeCloseTo(10e6, 6);
    expect(r.fields.out_bps).toBeCloseTo(1e6, 6);
    expect(r.fields.in_bytes).toBe(1_250_000 * 30);
    expect(r.fields.out_bytes).toBe(125_000 * 30);
    expect(r.fields.in_utilization).toBeCloseTo(0.01, 9);
    expect(r.fields.out_utilization).toBeCloseTo(0.001, 9);
    expect(r).toMatchObject({ resets: 0, discarded: 0 });
  });

  it('a 32-bit octet counter that wraps gives its true rate and its true byte count', () => {
    const before = 2n ** 32n - 500_000n;
    const r = interfaceRates(snap({ in_octets: c32(before) }, 0), snap({ in_octets: c32(1_000_000n) }, 10), GBIT);
    expect(r.fields.in_bps).toBeCloseTo((1_500_000 * 8) / 10, 6);
    expect(r.fields.in_bytes).toBe(1_500_000);
  });

  it('utilisation is omitted when the speed is unknown, bits/s are still given', () => {
    const r = interfaceRates(snap({ in_octets: c64(0) }, 0), snap({ in_octets: c64(1000) }, 1), undefined);
    expect(r.fields).toEqual({ in_bps: 8000, in_bytes: 1000 });
  });

  it('a rate above 1.1 × the interface speed is discarded and counted', () => {
    const r = interfaceRates(
      snap({ in_octets: c64(0), out_octets: c64(0) }, 0),
      // 100 Mbit/s link; in: 120 Mbit/s (impossible), out: 105 Mbit/s (within 10 %)
      snap({ in_octets: c64(15_000_000), out_octets: c64(13_125_000) }, 1),
      100e6,
    );
    expect(r.fields.in_bps).toBeUndefined();
    expect(r.fields.in_bytes).toBeUndefined();
    expect(r.fields.in_utilization).toBeUndefined();
    expect(r.fields.out_bps).toBeCloseTo(105e6, 3);
    expect(r.fields.out_bytes).toBe(13_125_000);
    expect(r.discarded).toBe(1);
  });

  it('a cleared 64-bit counter is a reset: no rates at all this interval', () => {
    const r = interfaceRates(snap({ in_octets: c64(5_000), out_octets: c64(9) }, 0), snap({ in_octets: c64(10), out_octets: c64(20) }, 30), GBIT);
    expect(r).toEqual({ fields: {}, resets: 1, discarded: 0 });
  });

  it('errors and discards are ratios of the packets that arrived or were sent', () => {
    const r = interfaceRates(
      snap({ in_ucast: c64(0), in_mcast: c64(0), in_bcast: c64(0), in_errors: c32(0), in_discards: c32(0),
        out_ucast: c64(0), out_errors: c32(0), out_discards: c32(0) }, 0),
      snap({ in_ucast: c64(900), in_mcast: c64(50), in_bcast: c64(40), in_errors: c32(6), in_discards: c32(4),
        out_ucast: c64(2000), out_errors: c32(1), out_discards: c32(0) }, 30),
      GBIT,
    );
    expect(r.fields.in_errors_ratio).toBeCloseTo(6 / 1000, 12);
    expect(r.fields.in_discards_ratio).toBeCloseTo(4 / 1000, 12);
    expect(r.fields.out_errors_ratio).toBeCloseTo(1 / 2000, 12);
    expect(r.fields.out_discards_ratio).toBe(0);
    // The counts behind the ratios, so rules can sum them over a window.
    expect(r.fields).toMatchObject({ in_packets: 1000, in_errors: 6, in_discards: 4, out_packets: 2000, out_errors: 1, out_discards: 0 });
  });

  it('each counter is a rate over its own window: columns read at different instants give the true ratio', () => {
    // A slow walk: the previous poll read ifHCInUcastPkts 5 s after ifInErrors; this poll read both at 30 s.
    // The agent counted 990 packets/s delivered and 10 errors/s: 1 % of what arrived.
    const prev = poll(
      { in_ucast: c64(0), in_errors: c32(0), out_ucast: c64(0), out_errors: c32(0) },
      0, { in_errors: 0, out_errors: 0, in_ucast: 5_000, out_ucast: 5_000 },
    );
    const cur = poll(
      { in_ucast: c64(990 * 25), in_errors: c32(10 * 30), out_ucast: c64(2_000 * 25), out_errors: c32(2 * 30) },
      30_000, { in_errors: 30_000, out_errors: 30_000, in_ucast: 30_000, out_ucast: 30_000 },
    );
    const r = interfaceRates(prev, cur, GBIT);
    // Raw increases would say 300 ÷ (24 750 + 300) = 1.2 % and 60 ÷ 50 000 = 0.12 %.
    expect(r.fields.in_errors_ratio).toBeCloseTo(10 / 1000, 12);
    expect(r.fields.out_errors_ratio).toBeCloseTo(2 / 2000, 12);
  });

  it('an idle interface has error ratio 0, not NaN', () => {
    const idle = { in_ucast: c64(5), in_errors: c32(0), out_ucast: c64(5), out_errors: c32(0) };
    const r = interfaceRates(snap(idle, 0), snap(idle, 30), GBIT);
    expect(r.fields.in_errors_ratio).toBe(0);
    expect(r.fields.out_errors_ratio).toBe(0);
  });

  it('SNMPv1 non-unicast packets count in the denominator', () => {
    const r = interfaceRates(
      snap({ in_ucast: c32(0), in_nucast: c32(0), in_errors: c32(0) }, 0),
      snap({ in_ucast: c32(90), in_nucast: c32(9), in_errors: c32(1) }, 30),
      GBIT,
    );
    expect(r.fields.in_errors_ratio).toBeCloseTo(0.01, 12);
  });
});
