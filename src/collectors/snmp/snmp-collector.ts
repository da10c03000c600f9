import { snmpOptions, type SnmpBlock, type SnmpOptions } from './snmp-options.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { CollectorError } from '../../core/errors.js';
import type { LinksSeenUp } from '../../core/links-seen-up.js';
import type { Logger } from '../../core/logger.js';
import type { Sample } from '../../core/sample.js';
import { targetTags, type Target } from '../../core/target.js';
import type { Collector } from '../../core/collector.js';
import { resolveAddress } from '../resolve-address.js';
import { confirmationPlan } from './confirmation-plan.js';
import { emptyMemory, PartialPoll, pollDevice, type DeviceMemory, type PollResult } from './device-poll.js';
import { MonitoredLinks } from './monitored-links.js';
import { isUnanswered, NetSnmpSession, SnmpRequestError, type SessionAddress, type SnmpSession } from './snmp-session.js';
import { WalkError } from './table-walker.js';
import { ValueError } from './varbind-values.js';

export interface SnmpCollectorOptions {
  readonly log: Logger;
  readonly clock?: Clock;
  /** Opens a session to a device; tests substitute recorded walks. */
  readonly openSession?: (address: SessionAddress, spec: SnmpOptions) => SnmpSession;
  /** Which links were ever seen up, kept across restarts (the state store); without it, memory only. */
  readonly linksSeenUp?: LinksSeenUp;
}

interface DeviceState {
  session: SnmpSession;
  /** Settings the session was opened with; a change opens a new one. */
  sessionKey: string;
  memory: DeviceMemory;
  /** `ok`, or the reason and OID of the current failure: logged when it changes. */
  health: string;
  sysName?: string;
  /** The reason the confirmations were last cut to fit the interval: logged when it changes. */
  clamped?: string;
}

/**
 * The SNMP collector: one reused session per device, the system group,
 * IF-MIB and custom OIDs turned into rates and ratios. A poll that gets no
 * answer is confirmed with quick re-polls, fitted inside the poll's budget
 * (confirmation-plan.ts), before the device is reported down: a lost
 * datagram declares nothing, and a dead device is declared by one poll, with
 * one `up: 0` sample per unanswered attempt. Every `interface` sample says
 * whether its link is monitored (monitored-links.ts).
 */
export class SnmpCollector implements Collector<SnmpBlock> {
  readonly kind = 'snmp';
  private readonly devices = new Map<string, DeviceState>();
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly open: (address: SessionAddress, spec: SnmpOptions) => SnmpSession;
  private readonly links: MonitoredLinks;

  constructor(opts: SnmpCollectorOptions) {
    this.log = opts.log;
    this.links = new MonitoredLinks(opts.linksSeenUp, opts.log);
    this.clock = opts.clock ?? systemClock;
    this.open = opts.openSession ?? ((address, spec) => new NetSnmpSession(address, spec));
  }

  /** The poll runs every confirmation re-poll and still ends before the target's next turn. */
  pollBudget(target: Target, cfg: SnmpBlock): number {
    return confirmationPlan(target.interval, target.timeout, snmpOptions(cfg)).budget;
  }

  /** `cfg` is the target's `snmp:` block as the scheduler hands it; it is read only through snmpOptions. */
  async collect(target: Target, cfg: SnmpBlock, signal: AbortSignal): Promise<Sample[]> {
    const spec = snmpOptions(cfg);
    const ip = await resolveAddress('snmp', target.name, target.address).catch((err: CollectorError) => {
      throw new CollectorError('snmp', err.reason, err.message, err.context, [this.downSample(target)]);
    });
    const device = this.device(target.name, { ip, port: spec.port }, spec);
    const plan = confirmationPlan(target.interval, target.timeout, spec);
    if (plan.clamped && device.clamped !== plan.clamped) this.log.warn({ target: target.name }, `target "${target.name}": ${plan.clamped}`);
    device.clamped = plan.clamped;
    // One `up: 0` sample per attempt that got no answer, stamped when it was
    // sent: a poll and its confirmations are that many misses, and the first
    // says since when the device has been silent.
    const misses: Sample[] = [];
    for (let attempt = 0; ; attempt++) {
      const sentAt = this.clock.now();
      try {
        const result = await pollDevice(device.session, target, spec, device.memory, this.clock, signal);
        this.succeeded(target, device, result);
        return await this.links.mark(target, spec.interfaces, result.samples, sentAt);
      } catch (caught) {
        // Interface samples of a poll that failed part way are judged like any others.
        const err = caught instanceof PartialPoll
          ? new PartialPoll(caught.failure, await this.links.mark(target, spec.interfaces, caught.samples, sentAt))
          : caught;
        const failure = this.failure(target, spec, err, attempt);
        const unanswered = isUnanswered(failure.reason);
        if (unanswered) misses.push(this.downSample(target, sentAt));
        const retry = unanswered && attempt < plan.attempts && !signal.aborted;
        if (!retry) {
          this.noteHealth(target, device, `${failure.reason} ${failure.context.oid ?? ''}`, () =>
            this.log.warn({ target: target.name, reason: failure.reason, oid: failure.context.oid }, failure.message));
          throw unanswered ? withSamples(failure, misses) : failure;
        }
        await this.sleep(plan.delay, signal);
      }
    }
  }

  forget(targetName: string): void {
    const device = this.devices.get(targetName);
    device?.session.close();
    this.devices.delete(targetName);
    this.links.forget(targetName);
  }

  async close(): Promise<void> {
    for (const name of [...this.devices.keys()]) this.forget(name);
  }

  /** Devices with an open session, for tests and /debug. */
  get openSessions(): number {
    return this.devices.size;
  }

  private device(name: string, address: SessionAddress, spec: SnmpOptions): DeviceState {
    const key = JSON.stringify([address, spec.version, spec.community, spec.user, spec.timeout, spec.retries]);
    let device = this.devices.get(name);
    if (device && device.sessionKey !== key) {
      // New address or credentials: a new session, but the counters' baseline is the same device.
      device.session.close();
      device.session = this.open(address, spec);
      device.sessionKey = key;
    }
    if (!device) {
      device = { session: this.open(address, spec), sessionKey: key, memory: emptyMemory(), health: 'ok' };
      this.devices.set(name, device);
    }
    return device;
  }

  private succeeded(target: Target, device: DeviceState, result: PollResult): void {
    device.memory = result.memory;
    if (result.continuity === 'rebooted') {
      this.log.info({ target: target.name, sysName: result.sysName }, 'device restarted (sysUpTime or snmpEngineBoots went back): counters reset, no rates this interval');
    }
    if (result.sysName !== undefined && result.sysName !== device.sysName) {
      this.log.info({ target: target.name, sysName: result.sysName, sysDescr: result.sysDescr }, 'SNMP agent identified');
      device.sysName = result.sysName;
    }
    this.noteHealth(target, device, 'ok', () => this.log.info({ target: target.name }, 'SNMP polls answered again'));
  }

  /** Logs once per change of a target's state, never once per poll. */
  private noteHealth(target: Target, device: DeviceState, health: string, log: () => void): void {
    if (device.health === health) return;
    device.health = health;
    log();
  }

  private failure(target: Target, spec: SnmpOptions, err: unknown, attempt: number): CollectorError {
    const partial = err instanceof PartialPoll ? err : undefined;
    const cause = partial ? partial.failure : err;
    const where = `target "${target.name}"`;
    let reason = 'internal';
    let oid = '';
    let detail = cause instanceof Error ? cause.message : String(cause);
    if (cause instanceof SnmpRequestError || cause instanceof WalkError || cause instanceof ValueError) {
      reason = cause.reason;
      oid = cause.oid;
    }
    if (reason === 'aborted') {
      reason = 'timeout';
      detail = `poll did not finish in time (OID ${oid})`;
    }
    if (reason === 'timeout' && attempt > 0) detail += `; no answer to ${attempt} confirmation re-poll(s) either`;
    const samples = partial?.samples.length && !isUnanswered(reason) ? partial.samples : [this.downSample(target)];
    return new CollectorError('snmp', reason, `${where}: SNMP v${spec.version} ${detail}`, { target: target.name, oid }, samples);
  }

  private downSample(target: Target, at = this.clock.now()): Sample {
    return { measurement: 'device', tags: targetTags(target), fields: { up: 0 }, time: at, integerFields: ['up'] };
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.clock.clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = this.clock.setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** The same failure, carrying the samples of every attempt instead of its own. */
function withSamples(failure: CollectorError, samples: Sample[]): CollectorError {
  return new CollectorError(failure.collector, failure.reason, failure.message, failure.context, samples);
}
