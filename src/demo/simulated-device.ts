/**
 * The simulated devices of `kpid demo`, as plain state on demo time: what
 * their counters read at any moment follows from the rates the fault script
 * sets. No sockets here (device-agent.ts serves these over SNMP).
 */

/** A counter growing at a rate that changes only when told, readable at any time. */
export class RateCounter {
  private base = 0;

  constructor(private perSecond: number, private since: number) {}

  /** The counter's value at `at` (demo epoch ms); fractional, agents floor it. */
  valueAt(at: number): number {
    return this.base + (this.perSecond * Math.max(0, at - this.since)) / 1000;
  }

  setRate(perSecond: number, at: number): void {
    this.base = this.valueAt(at);
    this.since = at;
    this.perSecond = perSecond;
  }

  /** A reboot clears every counter (RFC 2863: discontinuity). */
  reset(at: number): void {
    this.base = 0;
    this.since = at;
  }
}

export interface InterfaceSpec {
  readonly index: number;
  readonly name: string;
  readonly alias: string;
  readonly speedMbps: number;
  /** Share of the speed in use, 0–1. */
  readonly inUtil: number;
  readonly outUtil: number;
}

export interface VoiceSpec {
  readonly attemptsPerSecond: number;
  /** Shares of attempts, 0–1. */
  readonly answered: number;
  readonly dropped: number;
  /** Mean call holding time, seconds: active calls = attempts/s × this. */
  readonly holdSeconds: number;
}

export interface DeviceSpec {
  readonly name: string;
  readonly site: string;
  readonly descr: string;
  readonly interfaces: readonly InterfaceSpec[];
  readonly voice?: VoiceSpec;
}

/** Mean packet size used to turn octets into packet counts. */
const PACKET_BYTES = 700;
/** Devices have been up a while when the demo starts: 12 days. */
const INITIAL_UPTIME_MS = 12 * 86_400_000;

interface InterfaceState {
  spec: InterfaceSpec;
  operUp: boolean;
  inUtil: number;
  outUtil: number;
  inOctets: RateCounter;
  outOctets: RateCounter;
  inPkts: RateCounter;
  outPkts: RateCounter;
}

/** What an SNMP agent reports for one interface at one instant. */
export interface InterfaceReading {
  readonly index: number;
  readonly name: string;
  readonly alias: string;
  readonly speedMbps: number;
  readonly operUp: boolean;
  readonly inOctets: bigint;
  readonly outOctets: bigint;
  readonly inPkts: bigint;
  readonly outPkts: bigint;
}

export interface VoiceReading {
  readonly attempts: number;
  readonly answered: number;
  readonly dropped: number;
  readonly active: number;
}

export class SimulatedDevice {
  /** False while the device is "powered off": its agent and services stop answering. */
  powered = true;
  private bootedAt: number;
  private readonly interfaces = new Map<string, InterfaceState>();
  private voice?: { spec: VoiceSpec; attempts: RateCounter; answered: RateCounter; dropped: RateCounter };

  constructor(readonly spec: DeviceSpec, start: number) {
    this.bootedAt = start - INITIAL_UPTIME_MS;
    for (const i of spec.interfaces) {
      const octets = (u: number) => (u * i.speedMbps * 1e6) / 8;
      this.interfaces.set(i.name, {
        spec: i, operUp: true, inUtil: i.inUtil, outUtil: i.outUtil,
        inOctets: new RateCounter(octets(i.inUtil), start),
        outOctets: new RateCounter(octets(i.outUtil), start),
        inPkts: new RateCounter(octets(i.inUtil) / PACKET_BYTES, start),
        outPkts: new RateCounter(octets(i.outUtil) / PACKET_BYTES, start),
      });
    }
    if (spec.voice) {
      const v = spec.voice;
      this.voice = {
        spec: v,
        attempts: new RateCounter(v.attemptsPerSecond, start),
        answered: new RateCounter(v.attemptsPerSecond * v.answered, start),
        dropped: new RateCounter(v.attemptsPerSecond * v.dropped, start),
      };
    }
  }

  get name(): string {
    return this.spec.name;
  }

  /** Sets an interface's inbound or outbound load, as a share of its speed. */
  setUtilisation(ifName: string, dir: 'in' | 'out', share: number, at: number): void {
    const i = this.iface(ifName);
    if (dir === 'in') i.inUtil = share;
    else i.outUtil = share;
    this.applyRates(i, at);
  }

  /** Link up or down (a fibre cut): no traffic while down. */
  setLink(ifName: string, up: boolean, at: number): void {
    const i = this.iface(ifName);
    i.operUp = up;
    this.applyRates(i, at);
  }

  /** The share of call attempts that drop after being answered. */
  setDropShare(share: number, at: number): void {
    if (!this.voice) throw new Error(`${this.name} has no call counters`);
    this.voice.dropped.setRate(this.voice.spec.attemptsPerSecond * share, at);
  }

  powerOff(): void {
    this.powered = false;
  }

  /** Power back on: a reboot, so sysUpTime and every counter start again from zero. */
  powerOn(at: number): void {
    this.powered = true;
    this.bootedAt = at;
    for (const i of this.interfaces.values()) for (const c of [i.inOctets, i.outOctets, i.inPkts, i.outPkts]) c.reset(at);
    if (this.voice) for (const c of [this.voice.attempts, this.voice.answered, this.voice.dropped]) c.reset(at);
  }

  /** sysUpTime in TimeTicks (hundredths of a second), 32 bits. */
  uptimeTicks(at: number): number {
    return Math.floor((at - this.bootedAt) / 10) % 2 ** 32;
  }

  readInterfaces(at: number): InterfaceReading[] {
    const whole = (c: RateCounter) => BigInt(Math.floor(c.valueAt(at)));
    return [...this.interfaces.values()].map((i) => ({
      index: i.spec.index, name: i.spec.name, alias: i.spec.alias, speedMbps: i.spec.speedMbps, operUp: i.operUp,
      inOctets: whole(i.inOctets), outOctets: whole(i.outOctets), inPkts: whole(i.inPkts), outPkts: whole(i.outPkts),
    }));
  }

  readVoice(at: number): VoiceReading | undefined {
    const v = this.voice;
    if (!v) return undefined;
    // Counter32 wraps at 2^32, as on the real switch.
    const c32 = (c: RateCounter) => Math.floor(c.valueAt(at)) % 2 ** 32;
    return {
      attempts: c32(v.attempts), answered: c32(v.answered), dropped: c32(v.dropped),
      active: this.powered ? Math.round(v.spec.attemptsPerSecond * v.spec.holdSeconds) : 0,
    };
  }

  private iface(name: string): InterfaceState {
    const i = this.interfaces.get(name);
    if (!i) throw new Error(`${this.name} has no interface ${name}`);
    return i;
  }

  private applyRates(i: InterfaceState, at: number): void {
    const octets = (u: number) => (i.operUp ? (u * i.spec.speedMbps * 1e6) / 8 : 0);
    i.inOctets.setRate(octets(i.inUtil), at);
    i.outOctets.setRate(octets(i.outUtil), at);
    i.inPkts.setRate(octets(i.inUtil) / PACKET_BYTES, at);
    i.outPkts.setRate(octets(i.outUtil) / PACKET_BYTES, at);
  }
}
