import { connect } from 'node:net';
import { systemClock, type Clock } from '../../core/clock.js';
import { CollectorError } from '../../core/errors.js';
import type { Sample } from '../../core/sample.js';
import type { Target } from '../../core/target.js';
import { tcpOptions, type TcpSpec } from './tcp-options.js';
import type { Collector } from '../../core/collector.js';
import { resolveAddress } from '../resolve-address.js';

/**
 * TCP connect probe: success and the time the three-way handshake took.
 * Name resolution is timed apart, so the connect time is the network's alone.
 * A refused or silent port is a measurement (success 0), not an error.
 */
export class TcpCollector implements Collector<TcpSpec> {
  readonly kind = 'tcp';

  constructor(private readonly clock: Clock = systemClock) {}

  async collect(target: Target, block: TcpSpec, signal: AbortSignal): Promise<Sample[]> {
    const spec = tcpOptions(block);
    const tags = { target: target.name, site: target.site, probe: spec.name };
    const sample = (fields: Record<string, number>): Sample => ({
      measurement: 'probe', tags, fields, time: this.clock.now(), integerFields: ['success'],
    });
    let ip: string;
    try {
      ip = await resolveAddress('tcp', target.name, target.address);
    } catch (err) {
      const e = err as CollectorError;
      throw new CollectorError('tcp', e.reason, e.message, e.context, [sample({ success: 0 })]);
    }
    const started = process.hrtime.bigint();
    const connected = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: ip, port: spec.port });
      const done = (ok: boolean) => {
        signal.removeEventListener('abort', onAbort);
        socket.destroy();
        resolve(ok);
      };
      const onAbort = () => done(false);
      signal.addEventListener('abort', onAbort, { once: true });
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return [sample(connected ? { success: 1, rtt_seconds: seconds } : { success: 0 })];
  }
}
