import { systemClock, type Clock } from '../../core/clock.js';
import { CollectorError, errorMessage } from '../../core/errors.js';
import type { Sample } from '../../core/sample.js';
import type { Target } from '../../core/target.js';
import { throughputOptions, type HttpThroughputOptions, type Iperf3ThroughputOptions, type ThroughputProbeOptions, type ThroughputSpec } from './throughput-options.js';
import type { Collector } from '../../core/collector.js';
import { download, upload, type TransferOptions } from './transfer.js';
import { Iperf3Failure, runIperf3 } from './iperf3.js';

const INTEGER_FIELDS = ['success', 'status_code', 'bytes', 'upload_bytes', 'retransmits'];

/**
 * Throughput probe: the data rate a user gets (KPI avg_data_rate). In http
 * mode it downloads the configured object, optionally uploads generated
 * bytes, and reports goodput in bits/s (`download_bits_per_second`,
 * `upload_bits_per_second`), time to first byte, bytes and success. In iperf3
 * mode it runs the iperf3 client against the target's iperf3 server.
 *
 * Two throughput probes of one target never run at once, so neither measures
 * a link the other is filling: the scheduler runs each probe at most once at
 * a time, and this collector queues a target's probes behind each other.
 */
export class ThroughputCollector implements Collector<ThroughputSpec> {
  readonly kind = 'throughput';
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(private readonly clock: Clock = systemClock) {}

  collect(target: Target, spec: ThroughputSpec, signal: AbortSignal): Promise<Sample[]> {
    const before = this.running.get(target.name) ?? Promise.resolve();
    const mine = before.catch(() => {}).then(() => this.measure(target, throughputOptions(spec), signal));
    const settled = mine.catch(() => {});
    this.running.set(target.name, settled);
    void settled.then(() => {
      if (this.running.get(target.name) === settled) this.running.delete(target.name);
    });
    return mine;
  }

  forget(targetName: string): void {
    this.running.delete(targetName);
  }

  private sample(target: Target, spec: ThroughputProbeOptions, fields: Record<string, number>): Sample[] {
    const tags = { target: target.name, site: target.site, probe: spec.name };
    return [{ measurement: 'probe', tags, fields, time: this.clock.now(), integerFields: INTEGER_FIELDS }];
  }

  private async measure(target: Target, spec: ThroughputProbeOptions, signal: AbortSignal): Promise<Sample[]> {
    if (signal.aborted) {
      throw new CollectorError('throughput', 'timeout', `target "${target.name}": ${spec.name}: timed out waiting for the previous throughput probe`,
        { target: target.name, probe: spec.name }, this.sample(target, spec, { success: 0 }));
    }
    return spec.mode === 'iperf3' ? this.iperf3(target, spec, signal) : this.http(target, spec, signal);
  }

  private async iperf3(target: Target, spec: Iperf3ThroughputOptions, signal: AbortSignal): Promise<Sample[]> {
    const run = { address: target.address, port: spec.port, seconds: spec.duration / 1000, reverse: spec.reverse, signal };
    const r = await runIperf3(run).catch((err: unknown) => {
      const reason = err instanceof Iperf3Failure ? err.reason : 'iperf3';
      throw new CollectorError('throughput', reason, `target "${target.name}": ${spec.name}: ${errorMessage(err)}`,
        { target: target.name, probe: spec.name }, this.sample(target, spec, { success: 0 }));
    });
    return this.sample(target, spec, {
      success: 1,
      [spec.reverse ? 'download_bits_per_second' : 'upload_bits_per_second']: r.bitsPerSecond,
      bytes: r.bytes,
      duration_seconds: r.seconds,
      ...(r.retransmits === undefined ? {} : { retransmits: r.retransmits }),
    });
  }

  private async http(target: Target, spec: HttpThroughputOptions, signal: AbortSignal): Promise<Sample[]> {
    const sample = (fields: Record<string, number>) => this.sample(target, spec, fields);
    const at = (url: string): TransferOptions => ({
      url: new URL(url.replace('{address}', target.address)), headers: spec.headers, tlsVerify: spec.tlsVerify, signal,
    });
    const failed = (err: unknown, fields: Record<string, number>): never => {
      const code = (err as NodeJS.ErrnoException).code;
      const reason = signal.aborted ? 'timeout' : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'resolve' : 'transfer';
      throw new CollectorError('throughput', reason, `target "${target.name}": ${spec.name}: ${errorMessage(err)}`,
        { target: target.name, probe: spec.name }, sample({ success: 0, ...fields }));
    };
    const d = await download(at(spec.url), spec.maxBytes, spec.range).catch((err) => failed(err, {}));
    const fields: Record<string, number> = {
      status_code: d.status,
      ttfb_seconds: d.ttfb,
      bytes: d.bytes,
      duration_seconds: d.duration,
      ...(d.bitsPerSecond === undefined ? {} : { download_bits_per_second: d.bitsPerSecond }),
    };
    if (!d.complete) return failed(new Error(signal.aborted ? 'timed out during the download' : 'download broke off'), fields);
    let ok = d.status >= 200 && d.status < 300;
    if (ok && spec.uploadBytes !== undefined) {
      const u = await upload(at(spec.uploadUrl ?? spec.url), spec.uploadBytes).catch((err) => failed(err, fields));
      Object.assign(fields, { upload_bytes: u.bytes, upload_bits_per_second: u.bitsPerSecond });
      ok = u.status >= 200 && u.status < 300;
    }
    return sample({ success: ok ? 1 : 0, ...fields });
  }
}
