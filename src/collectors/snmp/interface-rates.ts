import { counterIncrease, perSecond, type CounterReading } from './counter-rates.js';

/** IF-MIB counters of one interface at one poll, by what they count. */
export type InterfaceCounterName =
  | 'in_octets' | 'out_octets'
  | 'in_ucast' | 'in_mcast' | 'in_bcast' | 'in_nucast'
  | 'out_ucast' | 'out_mcast' | 'out_bcast' | 'out_nucast'
  | 'in_errors' | 'out_errors' | 'in_discards' | 'out_discards';

export type InterfaceCounters = Partial<Record<InterfaceCounterName, CounterReading>>;

export interface InterfaceSnapshot {
  readonly counters: InterfaceCounters;
  /** Local epoch milliseconds of the poll that read them. */
  readonly at: number;
  /** When each counter's answer arrived, when known; a walk of a big table takes a while. */
  readonly times?: Partial<Record<InterfaceCounterName, number>>;
}

export interface InterfaceRates {
  /**
   * Fields for the `interface` sample: bytes counted this interval
   * (`in_bytes`, `out_bytes`, wraps included), bps, utilisation, error and
   * discard ratios, and the packet counts behind those ratios this interval
   * (`in_packets` = every packet that arrived, `in_errors`, `in_discards`,
   * `out_packets`, `out_errors`, `out_discards`).
   */
  readonly fields: Record<string, number>;
  /** 1 when a counter went backwards outside a reboot (a cleared counter): no rates this time. */
  readonly resets: number;
  /** Rates dropped because they exceeded 1.1 × the interface speed. */
  readonly discarded: number;
}

/** A rate this far above line rate is an agent's glitch, not traffic. */
export const IMPOSSIBLE_RATE_FACTOR = 1.1;

const IN_PACKETS: InterfaceCounterName[] = ['in_ucast', 'in_mcast', 'in_bcast', 'in_nucast'];
const OUT_PACKETS: InterfaceCounterName[] = ['out_ucast', 'out_mcast', 'out_bcast', 'out_nucast'];

/**
 * Interface speed in bit/s: ifHighSpeed (Mbit/s) when it is set, else
 * ifSpeed; undefined when neither is known. ifSpeed reads 2^32−1 for links
 * faster than 4.29 Gbit/s (RFC 2863), which says nothing without HighSpeed.
 */
export function interfaceSpeed(ifSpeed: number | undefined, ifHighSpeed: number | undefined): number | undefined {
  if (ifHighSpeed !== undefined && ifHighSpeed > 0) return ifHighSpeed * 1e6;
  if (ifSpeed !== undefined && ifSpeed > 0 && ifSpeed < 0xffffffff) return ifSpeed;
  return undefined;
}

/**
 * Rates between two polls of one interface, for a device that stayed up in
 * between (the caller checks sysUpTime first).
 *
 * In-error ratio = errors ÷ (packets delivered + errors + discards): every
 * packet that arrived. Out-error ratio = errors ÷ packets handed down for
 * transmission, which already include those that failed (RFC 2863 ifOutUcastPkts).
 */
export function interfaceRates(prev: InterfaceSnapshot, cur: InterfaceSnapshot, speedBps: number | undefined): InterfaceRates {
  const elapsed = (name: InterfaceCounterName) => (cur.times?.[name] ?? cur.at) - (prev.times?.[name] ?? prev.at);
  const inc: Partial<Record<InterfaceCounterName, bigint>> = {};
  for (const name of Object.keys(cur.counters) as InterfaceCounterName[]) {
    const a = prev.counters[name];
    const b = cur.counters[name];
    if (!a || !b) continue;
    const r = counterIncrease(a, b);
    if (r.kind === 'reset') return { fields: {}, resets: 1, discarded: 0 };
    inc[name] = r.delta;
  }
  const fields: Record<string, number> = {};
  let discarded = 0;
  for (const dir of ['in', 'out'] as const) {
    const octets = inc[`${dir}_octets`];
    const ms = elapsed(`${dir}_octets`);
    if (octets === undefined || !(ms > 0)) continue;
    const bps = perSecond(octets * 8n, ms);
    if (speedBps !== undefined && bps > speedBps * IMPOSSIBLE_RATE_FACTOR) {
      discarded++;
      continue;
    }
    // The octets behind the rate, so /metrics can keep a monotonic byte
    // counter that a wrap, a reboot or a glitch never makes jump.
    fields[`${dir}_bytes`] = Number(octets);
    fields[`${dir}_bps`] = bps;
    if (speedBps !== undefined) fields[`${dir}_utilization`] = bps / speedBps;
  }

  const sum = (names: InterfaceCounterName[]) =>
    names.some((n) => inc[n] !== undefined) ? names.reduce((s, n) => s + (inc[n] ?? 0n), 0n) : undefined;
  const ratio = (bad: bigint, all: bigint) => (all > 0n ? Math.min(1, Number(bad) / Number(all)) : bad > 0n ? 1 : 0);
  const inPackets = sum(IN_PACKETS);
  const outPackets = sum(OUT_PACKETS);
  // The counts behind the ratios go out too: one poll's ratio on an idle
  // port is 100 % for one dropped frame, so rules sum numerator and
  // denominator over a window and want a least volume (KPI catalogue).
  if (inPackets !== undefined) {
    const errors = inc.in_errors;
    const discards = inc.in_discards;
    const arrived = inPackets + (errors ?? 0n) + (discards ?? 0n);
    fields.in_packets = Number(arrived);
    if (errors !== undefined) {
      fields.in_errors = Number(errors);
      fields.in_errors_ratio = ratio(errors, arrived);
    }
    if (discards !== undefined) {
      fields.in_discards = Number(discards);
      fields.in_discards_ratio = ratio(discards, arrived);
    }
  }
  if (outPackets !== undefined) {
    fields.out_packets = Number(outPackets);
    if (inc.out_errors !== undefined) {
      fields.out_errors = Number(inc.out_errors);
      fields.out_errors_ratio = ratio(inc.out_errors, outPackets);
    }
    if (inc.out_discards !== undefined) {
      fields.out_discards = Number(inc.out_discards);
      fields.out_discards_ratio = ratio(inc.out_discards, outPackets);
    }
  }
  return { fields, resets: 0, discarded };
}
