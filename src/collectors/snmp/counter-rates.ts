/**
 * Counter arithmetic, pure: how much a counter grew between two polls, and
 * whether the device was continuously up between them. No I/O, no clock:
 * callers pass the local poll timestamps.
 */

/** A counter as read: its value and its width (Counter32 or Counter64). */
export interface CounterReading {
  readonly value: bigint;
  readonly bits: 32 | 64;
}

const MOD32 = 1n << 32n;

export type Increase =
  | { readonly kind: 'increase'; readonly delta: bigint; readonly wrapped: boolean }
  /** The counter went backwards and cannot have wrapped: it was reset. */
  | { readonly kind: 'reset' };

/**
 * Growth of a counter that was not reset by a reboot. A Counter32 that reads
 * lower has wrapped once (RFC 2578 §7.1.6): its true growth is
 * cur + 2^32 − prev. A Counter64 never wraps in practice (2^64 octets take
 * 46 years at 100 Gbit/s), so one that reads lower was reset (a counter
 * clear, a line card swap) and yields no rate.
 */
export function counterIncrease(prev: CounterReading, cur: CounterReading): Increase {
  if (prev.bits !== cur.bits) return { kind: 'reset' };
  if (cur.value >= prev.value) return { kind: 'increase', delta: cur.value - prev.value, wrapped: false };
  if (cur.bits === 32) return { kind: 'increase', delta: cur.value + MOD32 - prev.value, wrapped: true };
  return { kind: 'reset' };
}

/** sysUpTime (centiseconds, TimeTicks) and, for v3, snmpEngineBoots, with the local time they were read. */
export interface UptimeReading {
  readonly ticks: number;
  readonly engineBoots?: number;
  /** Local epoch milliseconds of the poll. */
  readonly at: number;
}

export type Continuity =
  /** No earlier poll: nothing to compare. */
  | 'first'
  /** Up all along: counters may be differenced. */
  | 'continuous'
  /** sysUpTime passed 2^32 ticks (497.1 days) and started again from 0: still up. */
  | 'rollover'
  /** sysUpTime did not move at all: a broken agent, not a reboot; counters judge for themselves. */
  | 'frozen'
  /** The device (or its agent) restarted: every counter restarted, no rate this interval. */
  | 'rebooted';

/** TimeTicks is an unsigned 32-bit count of centiseconds. */
export const TICKS_MODULUS = 2 ** 32;

/**
 * Whether the device stayed up between two polls. Uptime is compared against
 * the local time that passed, with a tolerance for agents whose clock drifts
 * or answers late: max(5 s, 10 % of the elapsed time).
 */
export function continuity(prev: UptimeReading | undefined, cur: UptimeReading): Continuity {
  if (!prev) return 'first';
  // RFC 3414 §2.2: snmpEngineBoots counts restarts of the SNMP engine.
  if (prev.engineBoots !== undefined && cur.engineBoots !== undefined && cur.engineBoots !== prev.engineBoots) {
    return 'rebooted';
  }
  if (cur.ticks === prev.ticks) return 'frozen';
  const elapsedTicks = Math.max(0, cur.at - prev.at) / 10;
  const tolerance = Math.max(500, elapsedTicks * 0.1);
  if (cur.ticks > prev.ticks) {
    // Uptime shorter than the time since the last poll: the device came up after it.
    return cur.ticks + tolerance < elapsedTicks ? 'rebooted' : 'continuous';
  }
  const expected = prev.ticks + elapsedTicks;
  if (expected + tolerance >= TICKS_MODULUS && Math.abs(cur.ticks + TICKS_MODULUS - expected) <= tolerance) {
    return 'rollover';
  }
  return 'rebooted';
}

/** Per-second rate of a growth over `ms` milliseconds, as a JS number. */
export function perSecond(delta: bigint, ms: number): number {
  return ms > 0 ? (Number(delta) * 1000) / ms : NaN;
}
