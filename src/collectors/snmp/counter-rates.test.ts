import { describe, expect, it } from 'vitest';
import { continuity, counterIncrease, perSecond, TICKS_MODULUS, type Continuity, type UptimeReading } from './counter-rates.js';

const c32 = (v: bigint | number) => ({ value: BigInt(v), bits: 32 as const });
const c64 = (v: bigint | number) => ({ value: BigInt(v), bits: 64 as const });
const MAX32 = 2n ** 32n - 1n;

describe('counterIncrease', () => {
  it.each([
    ['a counter that grew', c32(100), c32(350), { kind: 'increase', delta: 250n, wrapped: false }],
    ['a counter that did not move', c64(7), c64(7), { kind: 'increase', delta: 0n, wrapped: false }],
    ['a 32-bit counter that wraps yields the true growth', c32(MAX32 - 99n), c32(400), { kind: 'increase', delta: 500n, wrapped: true }],
    ['a 32-bit counter wrapping from its maximum to 0 grew by 1', c32(MAX32), c32(0), { kind: 'increase', delta: 1n, wrapped: true }],
    ['a 64-bit counter above 2^63 grows exactly (no float rounding)',
      c64(2n ** 63n + 1n), c64(2n ** 63n + 12_345_678_901n), { kind: 'increase', delta: 12_345_678_900n, wrapped: false }],
    ['a 64-bit counter that goes back was reset, not wrapped', c64(10_000), c64(5), { kind: 'reset' }],
    ['a counter that changed width (agent switched tables) is a reset', c32(1), c64(2), { kind: 'reset' }],
  ] as const)('%s', (_name, prev, cur, expected) => {
    expect(counterIncrease(prev, cur)).toEqual(expected);
  });
});

describe('continuity: did the device stay up between two polls?', () => {
  const T0 = 1_700_000_000_000;
  const at = (s: number) => T0 + s * 1000;
  const up = (ticks: number, secs: number, engineBoots?: number): UptimeReading => ({ ticks, at: at(secs), engineBoots });
  const cases: Array<[string, UptimeReading | undefined, UptimeReading, Continuity]> = [
    ['first poll: nothing to compare', undefined, up(100, 0), 'first'],
    ['uptime advanced with local time', up(100_000, 0), up(103_000, 30), 'continuous'],
    ['uptime advanced a little slower than local time (agent answered late)', up(100_000, 0), up(102_800, 30), 'continuous'],
    ['uptime went back: reboot', up(100_000, 0), up(1_500, 30), 'rebooted'],
    ['uptime smaller than the time since the last poll: rebooted in between', up(200, 0), up(1_000, 300), 'rebooted'],
    ['uptime that never moves is a broken agent, not a reboot', up(4242, 0), up(4242, 30), 'frozen'],
    ['sysUpTime passing 2^32 ticks (497 days) is a rollover, not a reboot',
      up(TICKS_MODULUS - 1_000, 0), up(2_000, 30), 'rollover'],
    ['a small uptime after 497 days that does not fit the elapsed time is a reboot',
      up(TICKS_MODULUS - 1_000, 0), up(50_000, 30), 'rebooted'],
    ['snmpEngineBoots that moved is a reboot even if uptime looks fine (v3)',
      up(100_000, 0, 3), up(103_000, 30, 4), 'rebooted'],
    ['same snmpEngineBoots and moving uptime: up', up(100_000, 0, 3), up(103_000, 30, 3), 'continuous'],
  ];
  it.each(cases)('%s', (_name, prev, cur, expected) => {
    expect(continuity(prev, cur)).toBe(expected);
  });
});

describe('perSecond', () => {
  it('divides by the local elapsed time in milliseconds', () => {
    expect(perSecond(1_250_000n * 30n, 30_000)).toBe(1_250_000);
  });
  it('is NaN for a zero interval rather than Infinity', () => {
    expect(perSecond(10n, 0)).toBeNaN();
  });
});
