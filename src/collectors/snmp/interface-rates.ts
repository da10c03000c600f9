import { COUNTER_NAMES, counterNumber as at, type InterfaceCounters } from './interface-counters.js';

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

const N = COUNTER_NAMES.length;
const IN_OCTETS = at('in_octets');
const OUT_OCTETS = at('out_octets');
const IN_PACKETS = [at('in_ucast'), at('in_mcast'), at('in_bcast'), at('in_nucast')];
const OUT_PACKETS = [at('out_ucast'), at('out_mcast'), at('out_bcast'), at('out_nucast')];
const IN_ERRORS = at('in_errors');
const IN_DISCARDS = at('in_discards');
const OUT_ERRORS = at('out_errors');
const OUT_DISCARDS = at('out_discards');
const IN_ERRORS_ONLY = [IN_ERRORS];
const IN_DISCARDS_ONLY = [IN_DISCARDS];
const MOD32 = 2 ** 32;

/**
 * Increase of each counter this interval (NaN: not known) and the
 * milliseconds it took. Scratch space reused by every call (the function is
 * synchronous): this runs once per interface per poll, and objects per
 * counter were most of a poll's garbage. An increase is exact as a double
 * up to 2^53, years of traffic in one interval.
 */
const inc = new Float64Array(N);
const ms = new Float64Array(N);

/** Per-second rate of counter `i`, undefined when unknown. */
function rate(i: number): number | undefined {
  return Number.isNaN(inc[i]!) || !(ms[i]! > 0) ? undefined : (inc[i]! * 1000) / ms[i]!;
}

/** Sum of the known rates among `group`, undefined when none is known. */
function rateSum(group: readonly number[]): number | undefined {
  let sum: number | undefined;
  for (const i of group) {
    const r = rate(i);
    if (r !== undefined) sum = (sum ?? 0) + r;
  }
  return sum;
}

/** Sum of the known increases among `group`, undefined when none is known. */
function count(group: readonly number[]): number | undefined {
  let sum: number | undefined;
  for (const i of group) if (!Number.isNaN(inc[i]!)) sum = (sum ?? 0) + inc[i]!;
  return sum;
}

/** A rate above what the interface can carry. */
const IMPOSSIBLE = -1;

/** Bits per second of octet counter `i`: undefined when unknown, IMPOSSIBLE above 1.1 × the speed. */
function bitRate(i: number, speedBps: number | undefined): number | undefined {
  const octets = inc[i]!;
  if (Number.isNaN(octets) || !(ms[i]! > 0)) return undefined;
  const bps = (octets * 8 * 1000) / ms[i]!;
  return speedBps !== undefined && bps > speedBps * IMPOSSIBLE_RATE_FACTOR ? IMPOSSIBLE : bps;
}

const ratio = (bad: number, all: number) => (all > 0 ? Math.min(1, bad / all) : bad > 0 ? 1 : 0);

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
 * Rates between two polls of one interface, its counters at `prevSlot` of
 * the last poll's store and `curSlot` of this one's, for a device that
 * stayed up in between (the caller checks sysUpTime first).
 *
 * In-error ratio = error rate ÷ (rate of packets delivered + errors +
 * discards): every packet that arrived. Out-error ratio = errors ÷ packets handed down for
 * transmission, which already include those that failed (RFC 2863 ifOutUcastPkts).
 */
export function interfaceRates(
  prev: InterfaceCounters, prevSlot: number, cur: InterfaceCounters, curSlot: number, speedBps: number | undefined,
): InterfaceRates {
  for (let c = 0; c < N; c++) {
    inc[c] = NaN;
    const i = prevSlot * N + c;
    const j = curSlot * N + c;
    const bits = cur.bits[j];
    if (!prev.bits[i] || !bits) continue;
    if (prev.bits[i] !== bits) return { fields: {}, resets: 1, discarded: 0 };
    // counterIncrease (counter-rates.ts) on the two words of each value.
    const hiA = prev.words[2 * i]!;
    const loA = prev.words[2 * i + 1]!;
    const hiB = cur.words[2 * j]!;
    const loB = cur.words[2 * j + 1]!;
    // Exact while the increase is below 2^53 (years of traffic in one
    // interval), and past it rounded once, as Number(BigInt) would: the
    // high words' difference times 2^32 is exact, the sum rounds once.
    if (hiB > hiA || (hiB === hiA && loB >= loA)) inc[c] = (hiB - hiA) * MOD32 + (loB - loA);
    else if (bits === 32) inc[c] = loB + MOD32 - loA;
    else return { fields: {}, resets: 1, discarded: 0 };
    ms[c] = cur.times[j]! - prev.times[i]!;
  }
  const fields: Record<string, number> = {};
  let discarded = 0;
  // Fields named in full, not `${dir}_bytes`: a name built per interface is a string to allocate and look up each time.
  const inBps = bitRate(IN_OCTETS, speedBps);
  if (inBps === IMPOSSIBLE) discarded++;
  else if (inBps !== undefined) {
    // The octets behind the rate, so /metrics can keep a monotonic byte
    // counter that a wrap, a reboot or a glitch never makes jump.
    fields.in_bytes = inc[IN_OCTETS]!;
    fields.in_bps = inBps;
    if (speedBps !== undefined) fields.in_utilization = inBps / speedBps;
  }
  const outBps = bitRate(OUT_OCTETS, speedBps);
  if (outBps === IMPOSSIBLE) discarded++;
  else if (outBps !== undefined) {
    fields.out_bytes = inc[OUT_OCTETS]!;
    fields.out_bps = outBps;
    if (speedBps !== undefined) fields.out_utilization = outBps / speedBps;
  }

  // Ratios divide rates, each counter's increase over its own window: the
  // columns of a big table are walked at different moments, and dividing raw
  // increases would be off by the ratio of the two windows.
  const inPackets = rateSum(IN_PACKETS);
  const outPackets = rateSum(OUT_PACKETS);
  // The counts behind the ratios go out too: one poll's ratio on an idle
  // port is 100 % for one dropped frame, so rules sum numerator and
  // denominator over a window and want a least volume (KPI catalogue).
  if (inPackets !== undefined) {
    const errors = rate(IN_ERRORS);
    const discards = rate(IN_DISCARDS);
    const arrived = inPackets + (errors ?? 0) + (discards ?? 0);
    if (errors !== undefined) fields.in_errors_ratio = ratio(errors, arrived);
    if (discards !== undefined) fields.in_discards_ratio = ratio(discards, arrived);
    const packets = count(IN_PACKETS);
    if (packets !== undefined) fields.in_packets = packets + (count(IN_ERRORS_ONLY) ?? 0) + (count(IN_DISCARDS_ONLY) ?? 0);
    if (!Number.isNaN(inc[IN_ERRORS]!)) fields.in_errors = inc[IN_ERRORS]!;
    if (!Number.isNaN(inc[IN_DISCARDS]!)) fields.in_discards = inc[IN_DISCARDS]!;
  }
  if (outPackets !== undefined) {
    const errors = rate(OUT_ERRORS);
    const discards = rate(OUT_DISCARDS);
    if (errors !== undefined) fields.out_errors_ratio = ratio(errors, outPackets);
    if (discards !== undefined) fields.out_discards_ratio = ratio(discards, outPackets);
    const packets = count(OUT_PACKETS);
    if (packets !== undefined) fields.out_packets = packets;
    if (!Number.isNaN(inc[OUT_ERRORS]!)) fields.out_errors = inc[OUT_ERRORS]!;
    if (!Number.isNaN(inc[OUT_DISCARDS]!)) fields.out_discards = inc[OUT_DISCARDS]!;
  }
  return { fields, resets: 0, discarded };
}
