import { systemClock, type Clock } from '../../core/clock.js';
import { CollectorError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Sample } from '../../core/sample.js';
import type { Target } from '../../core/target.js';
import { icmpOptions, type IcmpSpec } from './icmp-options.js';
import type { Collector } from '../../core/collector.js';
import { resolveAddress } from '../resolve-address.js';
import { FpingBatcher, type FpingBatcherOptions } from './fping-batcher.js';
import { roundTripStats } from './round-trips.js';

/** ICMP echo probe: N packets per probe through fping; rtt, jitter and loss. */
export class IcmpCollector implements Collector<IcmpSpec> {
  readonly kind = 'icmp';
  private readonly fping: FpingBatcher;
  private readonly clock: Clock;

  constructor(opts: { log?: Logger; clock?: Clock; fping?: FpingBatcherOptions } = {}) {
    this.fping = new FpingBatcher(opts.fping);
    this.clock = opts.clock ?? systemClock;
  }

  async collect(target: Target, block: IcmpSpec, signal: AbortSignal): Promise<Sample[]> {
    const spec = icmpOptions(block);
    const tags = { target: target.name, site: target.site, probe: spec.name };
    const failed = (): Sample[] => [{
      measurement: 'probe', tags, time: this.clock.now(),
      fields: { success: 0, sent: 0, received: 0, lost: 0, loss_ratio: 1 }, integerFields: ['success', 'sent', 'received', 'lost'],
    }];
    let ip: string;
    try {
      ip = await resolveAddress('icmp', target.name, target.address);
    } catch (err) {
      throw withSamples(err, failed());
    }
    let rtts: (number | null)[];
    try {
      rtts = await this.fping.ping(
        { address: ip, count: spec.count, spacingMs: spec.spacing, replyTimeoutMs: spec.replyTimeout },
        signal,
      );
    } catch (err) {
      if (err instanceof CollectorError) {
        throw new CollectorError('icmp', err.reason, `target "${target.name}": ${err.message}`, { target: target.name }, failed());
      }
      throw err;
    }
    const st = roundTripStats(rtts);
    const fields: Record<string, number> = {
      success: st.received > 0 ? 1 : 0,
      sent: st.sent,
      received: st.received,
      // The count behind loss_ratio, so rules sum it over a window (lost ÷ sent).
      lost: st.sent - st.received,
      loss_ratio: st.lossRatio,
    };
    if (st.avg !== undefined) {
      fields.rtt_seconds = st.avg;
      fields.rtt_min_seconds = st.min!;
      fields.rtt_max_seconds = st.max!;
    }
    if (st.jitter !== undefined) fields.jitter_seconds = st.jitter;
    return [{ measurement: 'probe', tags, fields, time: this.clock.now(), integerFields: ['success', 'sent', 'received', 'lost'] }];
  }

  close(): Promise<void> {
    return this.fping.close();
  }
}

function withSamples(err: unknown, samples: Sample[]): unknown {
  if (!(err instanceof CollectorError)) return err;
  return new CollectorError(err.collector, err.reason, err.message, err.context, samples);
}
