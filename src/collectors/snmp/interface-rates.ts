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
 * In-error ratio = error rate ÷ (rate of packets delivered + errors +
 * discards): every packet that arrived. Out-error ratio = errors ÷ packets handed down for
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

  // Ratios divide rates, each counter's increase over its own window: the
  // columns of a big table are walked at different moments, and dividing raw
  // increases would be off by the ratio of the two windows.
  const rate = (name: InterfaceCounterName) => {
    const delta = inc[name];
    const ms = elapsed(name);
    return delta === undefined || !(ms > 0) ? undefined : perSecond(delta, ms);
  };
  const sum = (names: InterfaceCounterName[]) => {
    const rates = names.map(rate).filter((r) => r !== undefined);
    return rates.length ? rates.reduce((a, b) => a + b, 0) : undefined;
  };
  const ratio = (bad: number, all: number) => (all > 0 ? Math.min(1, bad / all) : bad > 0 ? 1 : 0);
  const count = (names: InterfaceCounterName[]) =>
    names.some((n) => inc[n] !== undefined) ? Number(names.reduce((s, n) => s + (inc[n] ?? 0n), 0n)) : undefined;
  const inPackets = sum(IN_PACKETS);
  const outPackets = sum(OUT_PACKETS);
  // The counts behind the ratios go out too: one poll's ratio on an idle
  // port is 100 % for one dropped frame, so rules sum numerator and
  // denominator over a window and want a least volume (KPI catalogue).
  if (inPackets !== undefined) {
    const errors = rate('in_errors');
    const discards = rate('in_discards');
    const arrived = inPackets + (errors ?? 0) + (discards ?? 0);
    if (errors !== undefined) fields.in_errors_ratio = ratio(errors, arrived);
    if (discards !== undefined) fields.in_discards_ratio = ratio(discards, arrived);
    const packets = count(IN_PACKETS);
    if (packets !== undefined) fields.in_packets = packets + (count(['in_errors']) ?? 0) + (count(['in_discards']) ?? 0);
    if (inc.in_errors !== undefined) fields.in_errors = Number(inc.in_errors);
    if (inc.in_discards !== undefined) fields.in_discards = Number(inc.in_discards);
  }
  if (outPackets !== undefined) {
    const errors = rate('out_errors');
    const discards = rate('out_discards');
    if (errors !== undefined) fields.out_errors_ratio = ratio(errors, outPackets);
    if (discards !== undefined) fields.out_discards_ratio = ratio(discards, outPackets);
    const packets = count(OUT_PACKETS);
    if (packets !== undefined) fields.out_packets = packets;
    if (inc.out_errors !== undefined) fields.out_errors = Number(inc.out_errors);
    if (inc.out_discards !== undefined) fields.out_discards = Number(inc.out_discards);
  }
  return { fields, resets: 0, discarded };
}
