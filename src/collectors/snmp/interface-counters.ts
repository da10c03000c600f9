import { readCounter, type RawVarbind } from './varbind-values.js';

/** IF-MIB counters of one interface at one poll, by what they count. */
export type InterfaceCounterName =
  | 'in_octets' | 'out_octets'
  | 'in_ucast' | 'in_mcast' | 'in_bcast' | 'in_nucast'
  | 'out_ucast' | 'out_mcast' | 'out_bcast' | 'out_nucast'
  | 'in_errors' | 'out_errors' | 'in_discards' | 'out_discards';

/** Every counter, numbered by its place here: its column in the store below. */
export const COUNTER_NAMES: readonly InterfaceCounterName[] = [
  'in_octets', 'out_octets', 'in_ucast', 'in_mcast', 'in_bcast', 'in_nucast',
  'out_ucast', 'out_mcast', 'out_bcast', 'out_nucast', 'in_errors', 'out_errors', 'in_discards', 'out_discards',
];
export const counterNumber = (name: InterfaceCounterName): number => COUNTER_NAMES.indexOf(name);
const PER_ROW = COUNTER_NAMES.length;

/**
 * The interface counters of one device at one poll, by row slot and
 * counter number, in typed arrays: a value is two 32-bit words (exact up
 * to 2^64 − 1, no BigInt), its width (32 or 64; 0 when not read) and the
 * local time its answer arrived. Kept until the next poll's rates, an
 * object and a BigInt per counter were promoted to the old generation at
 * every poll and were much of the compact heap's collecting.
 */
export class InterfaceCounters {
  /** Slot-major: counter `c` of slot `s` is at `s * PER_ROW + c`; its words at twice that (high, then low). */
  words = new Uint32Array(0);
  bits = new Uint8Array(0);
  times = new Float64Array(0);

  /** Forgets every reading, keeping the arrays for the next poll. */
  clear(): void {
    this.bits.fill(0);
  }

  /**
   * Decodes counter `c` of slot `slot` from its varbind, arrived at `at`.
   * `legacy`: a 32-bit ifTable counter, which fills in only where no 64-bit
   * one was read (HC wins whichever answer arrives first).
   */
  read(slot: number, c: number, vb: RawVarbind, at: number, legacy: boolean): void {
    const i = slot * PER_ROW + c;
    if (i >= this.bits.length) this.grow(slot);
    if (legacy && this.bits[i] !== 0) return;
    this.bits[i] = readCounter(vb, this.words, 2 * i);
    this.times[i] = at;
  }

  /** Counter `name` of `slot` as read, for tests and debugging; undefined when not read. */
  reading(slot: number, name: InterfaceCounterName): { value: bigint; bits: 32 | 64; at: number } | undefined {
    const i = slot * PER_ROW + counterNumber(name);
    const bits = this.bits[i];
    if (!bits) return undefined;
    return { value: (BigInt(this.words[2 * i]!) << 32n) | BigInt(this.words[2 * i + 1]!), bits: bits as 32 | 64, at: this.times[i]! };
  }

  private grow(slot: number): void {
    const rows = Math.max(slot + 1, 2 * (this.bits.length / PER_ROW), 64);
    const words = new Uint32Array(rows * PER_ROW * 2);
    const bits = new Uint8Array(rows * PER_ROW);
    const times = new Float64Array(rows * PER_ROW);
    words.set(this.words);
    bits.set(this.bits);
    times.set(this.times);
    this.words = words;
    this.bits = bits;
    this.times = times;
  }
}

/**
 * The slot of each ifIndex this poll: the one it had at the last poll, so
 * both polls' counters sit at the same place and its kept state can be
 * reused as it is; an ifIndex not seen then takes the lowest slot no kept
 * interface holds, so the arrays stay as long as the table is.
 */
export function slotAllocator(kept: ReadonlyMap<string, { readonly slot: number }>): (index: string) => number {
  let taken: Uint8Array | undefined;
  let next = 0;
  return (index) => {
    const slot = kept.get(index)?.slot;
    if (slot !== undefined) return slot;
    if (!taken) {
      let top = -1;
      for (const k of kept.values()) top = Math.max(top, k.slot);
      taken = new Uint8Array(top + 1);
      for (const k of kept.values()) taken[k.slot] = 1;
    }
    while (next < taken.length && taken[next] === 1) next++;
    return next++;
  };
}
