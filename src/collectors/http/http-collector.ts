import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { systemClock, type Clock } from '../../core/clock.js';
import { CollectorError } from '../../core/errors.js';
import type { Sample } from '../../core/sample.js';
import type { Target } from '../../core/target.js';
import type { HttpProbeConfig } from '../../config/sections/probes.js';
import type { Collector } from '../../core/collector.js';

type HttpSpec = HttpProbeConfig & { name: string };

/**
 * HTTP(S) probe: one request; success when the status is one of the
 * expected ones. Reports the time to the response headers (rtt_seconds), the
 * time to the last byte (duration_seconds) and the status code. A URL
 * without a host uses the target's address, so one probe definition serves
 * many targets.
 */
export class HttpCollector implements Collector<HttpSpec> {
  readonly kind = 'http';

  constructor(private readonly clock: Clock = systemClock) {}

  collect(target: Target, spec: HttpSpec, signal: AbortSignal): Promise<Sample[]> {
    const url = new URL(spec.url.replace('{address}', target.address));
    const tags = { target: target.name, site: target.site, probe: spec.name };
    const sample = (fields: Record<string, number>): Sample[] =>
      [{ measurement: 'probe', tags, fields, time: this.clock.now(), integerFields: ['success', 'status_code'] }];
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    return new Promise<Sample[]>((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(url, {
        method: spec.method,
        headers: { 'user-agent': 'kpid-probe', ...spec.headers },
        signal,
        rejectUnauthorized: spec.tls_verify,
      }, (res) => {
        const headers = seconds();
        res.on('data', () => {});
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          resolve(sample({
            success: spec.expect_status.includes(status) ? 1 : 0,
            status_code: status,
            rtt_seconds: headers,
            duration_seconds: seconds(),
          }));
        });
        res.on('error', () => resolve(sample({ success: 0, status_code: res.statusCode ?? 0 })));
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') {
          reject(new CollectorError('http', 'resolve', `target "${target.name}": cannot resolve "${url.hostname}"`,
            { target: target.name }, sample({ success: 0 })));
        } else resolve(sample({ success: 0 }));
      });
      req.end();
    });
  }
}
