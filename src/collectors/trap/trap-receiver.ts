import { createRequire } from 'node:module';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Clock } from '../../core/clock.js';
import { KpidError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Sample } from '../../core/sample.js';
import { seriesLifetime, type Target } from '../../core/target.js';
import type { TrapOptions } from './trap-options.js';
import type { CounterLike } from '../../core/recorders.js';
import { decodeTrap, type RawPdu } from './trap-decode.js';
import { InterfaceIndex } from './interface-index.js';

/** The part of net-snmp's receiver API used here. */
interface NetSnmpReceiverApi {
  createReceiver(options: Record<string, unknown>, cb: (err: Error | null, n: { pdu: RawPdu; rinfo: { address: string } } | null) => void): {
    getAuthorizer(): { addCommunity(c: string): void; addUser(u: Record<string, unknown>): void };
    close(cb?: () => void): void;
    listener: { sockets: Record<string, import('node:dgram').Socket> };
  };
  SecurityLevel: Record<string, number>;
  AuthProtocols: Record<string, number>;
  PrivProtocols: Record<string, number>;
}
const snmp = createRequire(import.meta.url)('net-snmp') as NetSnmpReceiverApi;

export interface TrapReceiverOptions {
  /** The `traps:` section, mapped (trapOptions). */
  readonly config: TrapOptions;
  readonly clock: Clock;
  readonly log: Logger;
  /** Where each trap's outcome is counted (kpid_traps_total); the daemon passes the metric. */
  readonly metrics: { readonly traps: CounterLike<'result' | 'kind'> };
  /** `lifetime`: how long the series live without a sample, ms (the target's). */
  readonly publish: (samples: readonly Sample[], lifetime: number) => void;
}

/**
 * Receives SNMP traps and informs (v1, v2c, v3) and turns them into samples
 * at once: linkDown/linkUp become `interface` samples with oper_up 0/1 for
 * the polled interface, so the link-down rule opens (and restores) an outage
 * without waiting for the next poll. Every notification also becomes a
 * `trap` sample that rules can match. Traps from addresses that are not
 * targets, with a wrong community or v3 credentials, or malformed, are
 * counted and dropped; none can stop the receiver.
 */
export class TrapReceiver {
  readonly interfaces = new InterfaceIndex();
  private receiver?: ReturnType<NetSnmpReceiverApi['createReceiver']>;
  private byAddress = new Map<string, Target>();

  constructor(private readonly o: TrapReceiverOptions) {}

  /** Binds the port; resolves once traps can arrive, rejects naming the address when it cannot bind. */
  async start(): Promise<void> {
    const { listen } = this.o.config;
    this.receiver = snmp.createReceiver(
      { port: listen.port, address: listen.host, transport: listen.host.includes(':') ? 'udp6' : 'udp4', includeAuthentication: true },
      (err, notification) => this.receive(err, notification),
    );
    const auth = this.receiver.getAuthorizer();
    for (const c of this.o.config.communities) {
      auth.addCommunity(c);
    }
    for (const u of this.o.config.users) {
      auth.addUser({
        name: u.name,
        level: snmp.SecurityLevel[u.level],
        ...(u.authProtocol ? { authProtocol: snmp.AuthProtocols[u.authProtocol], authKey: u.authKey } : {}),
        ...(u.privProtocol ? { privProtocol: snmp.PrivProtocols[u.privProtocol], privKey: u.privKey } : {}),
      });
    }
    await Promise.all(Object.values(this.receiver.listener.sockets).map((socket) => new Promise<void>((resolve, reject) => {
      socket.once('listening', () => resolve());
      socket.once('error', (err) => reject(new KpidError('traps_listen', `cannot receive traps on ${listen.host}:${listen.port} (traps.listen): ${err.message}`)));
    })));
    this.o.log.info({ listen: `${listen.host}:${listen.port}` }, 'trap receiver listening');
  }

  /** Which target a trap's source address belongs to; names are resolved here, off the trap path. */
  async setTargets(targets: readonly Target[]): Promise<void> {
    const next = new Map<string, Target>();
    await Promise.all(targets.map(async (t) => {
      if (isIP(t.address)) next.set(t.address, t);
      else {
        try {
          for (const a of await lookup(t.address, { all: true })) next.set(a.address, t);
        } catch {
          // The collectors report unresolvable names; traps from it count as unknown_source.
        }
      }
    }));
    const names = new Set(targets.map((t) => t.name));
    for (const t of this.byAddress.values()) if (!names.has(t.name)) this.interfaces.forget(t.name);
    this.byAddress = next;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.receiver) return resolve();
      this.receiver.close(() => resolve());
      this.receiver = undefined;
      setTimeout(resolve, 500).unref();
    });
  }

  private receive(err: Error | null, n: { pdu: RawPdu; rinfo: { address: string } } | null): void {
    try {
      if (err || !n) {
        // Never log the message: net-snmp puts the offered community in it.
        const result = isAuthFailure(err) ? 'auth_failed' : 'malformed';
        this.o.metrics.traps.inc({ result, kind: 'unknown' });
        this.o.log.debug({ result, from: (err as { rinfo?: { address?: string } })?.rinfo?.address }, 'trap rejected');
        return;
      }
      const trap = decodeTrap(n.pdu);
      if (!trap) {
        this.o.metrics.traps.inc({ result: 'unsupported', kind: 'unknown' });
        return;
      }
      const target = this.byAddress.get(n.rinfo.address) ?? (trap.agentAddress ? this.byAddress.get(trap.agentAddress) : undefined);
      if (!target) {
        this.o.metrics.traps.inc({ result: 'unknown_source', kind: trap.kind });
        return;
      }
      this.o.metrics.traps.inc({ result: 'accepted', kind: trap.kind });
      // A trap's series live as long as its target's polled ones; rules that count traps keep them for their window.
      this.o.publish(this.samplesFor(target, trap), seriesLifetime(target));
    } catch (e) {
      this.o.metrics.traps.inc({ result: 'malformed', kind: 'unknown' });
      this.o.log.warn({ err: (e as Error).message }, 'trap could not be handled');
    }
  }

  private samplesFor(target: Target, trap: ReturnType<typeof decodeTrap> & object): Sample[] {
    const time = this.o.clock.now();
    const base = { target: target.name, site: target.site };
    const samples: Sample[] = [{
      measurement: 'trap',
      tags: { ...base, trap: trap.kind === 'other' ? trap.trapOid : trap.kind },
      fields: { received: 1 },
      time,
      integerFields: ['received'],
    }];
    if ((trap.kind === 'linkDown' || trap.kind === 'linkUp') && trap.ifIndex !== undefined) {
      const tags = this.interfaces.tags(target.name, trap.ifIndex)
        ?? { ...base, interface: `ifIndex ${trap.ifIndex}`, ifindex: String(trap.ifIndex) };
      // The link-down rule watches admin-up ports only; a trap without
      // ifAdminStatus is taken to be about a port that was administratively up.
      const adminUp = trap.adminUp ?? this.interfaces.lastAdminUp(target.name, trap.ifIndex) ?? 1;
      // Monitored as the last poll judged it (an unused port's trap pages nobody); on a link kpid
      // does not poll, the trap is the only evidence, so its linkDown pages.
      const monitored = this.interfaces.lastMonitored(target.name, trap.ifIndex) ?? 1;
      samples.push({
        measurement: 'interface', tags, time, integerFields: ['oper_up', 'admin_up', 'monitored'],
        fields: { oper_up: trap.kind === 'linkUp' ? 1 : 0, admin_up: adminUp, monitored },
      });
    }
    if (trap.kind === 'coldStart' || trap.kind === 'warmStart') {
      samples.push({ measurement: 'device', tags: base, fields: { restarted: 1 }, time, integerFields: ['restarted'] });
    }
    return samples;
  }
}

/** Wrong community, unknown v3 user, or a digest that does not match the user's key. */
function isAuthFailure(err: Error | null): boolean {
  if (!err) return false;
  if (err.name === 'RequestFailedError') return true;
  return err.name === 'ResponseInvalidError' && /digest|decrypt|user/i.test(err.message);
}
