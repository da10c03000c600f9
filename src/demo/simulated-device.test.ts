import { describe, expect, it } from 'vitest';
import { RateCounter, SimulatedDevice, type DeviceSpec } from './simulated-device.js';

const T0 = Date.UTC(2026, 0, 1);
const S = 1_000;

describe('RateCounter', () => {
  it.each([
    { name: 'grows at its rate', steps: [] as Array<[number, number]>, readAt: 30 * S, expected: 300 },
    { name: 'a new rate applies from its time on', steps: [[10 * S, 100]] as Array<[number, number]>, readAt: 20 * S, expected: 100 + 1_000 },
    { name: 'rate 0 holds the value', steps: [[5 * S, 0]] as Array<[number, number]>, readAt: 60 * S, expected: 50 },
    { name: 'reading before the start reads the start', steps: [], readAt: -5 * S, expected: 0 },
  ])('$name', ({ steps, readAt, expected }) => {
    const c = new RateCounter(10, T0);
    for (const [at, rate] of steps) c.setRate(rate, T0 + at);
    expect(c.valueAt(T0 + readAt)).toBeCloseTo(expected, 9);
  });
});

const SPEC: DeviceSpec = {
  name: 'r1', site: 's', descr: 'test',
  interfaces: [{ index: 1, name: 'xe-0/0/0', alias: 'a', speedMbps: 10_000, inUtil: 0.5, outUtil: 0.25 }],
  voice: { attemptsPerSecond: 10, answered: 0.95, dropped: 0.001, holdSeconds: 100 },
};

describe('SimulatedDevice', () => {
  it('moves octet counters at utilisation × speed ÷ 8 bytes per second', () => {
    const d = new SimulatedDevice(SPEC, T0);
    const [a] = d.readInterfaces(T0);
    const [b] = d.readInterfaces(T0 + 30 * S);
    expect(b!.inOctets - a!.inOctets).toBe(BigInt(0.5 * 10e9 / 8 * 30));
    expect(b!.outOctets - a!.outOctets).toBe(BigInt(0.25 * 10e9 / 8 * 30));
  });

  it('a congested interface moves at the new share from the fault on', () => {
    const d = new SimulatedDevice(SPEC, T0);
    d.setUtilisation('xe-0/0/0', 'in', 0.96, T0 + 10 * S);
    const [b] = d.readInterfaces(T0 + 40 * S);
    expect(b!.inOctets).toBe(BigInt(0.5 * 10e9 / 8 * 10 + 0.96 * 10e9 / 8 * 30));
  });

  it('a link that is down reads oper down and carries no traffic until it is up again', () => {
    const d = new SimulatedDevice(SPEC, T0);
    d.setLink('xe-0/0/0', false, T0 + 10 * S);
    const [down] = d.readInterfaces(T0 + 70 * S);
    expect(down!.operUp).toBe(false);
    expect(down!.inOctets).toBe(BigInt(0.5 * 10e9 / 8 * 10));
    d.setLink('xe-0/0/0', true, T0 + 70 * S);
    const [up] = d.readInterfaces(T0 + 71 * S);
    expect(up!.operUp).toBe(true);
    expect(up!.inOctets - down!.inOctets).toBe(BigInt(0.5 * 10e9 / 8));
  });

  it('counts calls: attempts, answered and dropped at their shares; a drop spike changes only drops', () => {
    const d = new SimulatedDevice(SPEC, T0);
    d.setDropShare(0.02, T0 + 60 * S);
    const v = d.readVoice(T0 + 120 * S)!;
    expect(v).toEqual({ attempts: 1_200, answered: 1_140, dropped: 12 /* 0.6 + 12, whole calls */, active: 1_000 });
  });

  it('powering on again is a reboot: sysUpTime and counters restart from zero', () => {
    const d = new SimulatedDevice(SPEC, T0);
    expect(d.uptimeTicks(T0)).toBe(12 * 86_400 * 100);
    d.powerOff();
    expect(d.powered).toBe(false);
    d.powerOn(T0 + 600 * S);
    expect(d.uptimeTicks(T0 + 610 * S)).toBe(1_000);
    expect(d.readInterfaces(T0 + 600 * S)[0]!.inOctets).toBe(0n);
    expect(d.readVoice(T0 + 610 * S)!.attempts).toBe(100);
  });

  it('call counters wrap at 2^32 as Counter32 does', () => {
    const d = new SimulatedDevice({ ...SPEC, voice: { ...SPEC.voice!, attemptsPerSecond: 2 ** 22 } }, T0);
    expect(d.readVoice(T0 + 1_023 * S)!.attempts).toBe(2 ** 32 - 2 ** 22);
    expect(d.readVoice(T0 + 1_025 * S)!.attempts).toBe(2 ** 22);
  });
});
