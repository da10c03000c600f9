import { readFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { systemClock, type Clock } from '../../core/clock.js';
import { CollectorError, errorMessage } from '../../core/errors.js';
import type { Sample } from '../../core/sample.js';
import type { Target } from '../../core/target.js';
import { httpOptions, type HttpSpec } from './http-options.js';
import type { Collector } from '../../core/collector.js';

/**
 * HTTP(S) probe: one request; success when the status is one of the
 * expected ones. Reports the time to the response headers (rtt_seconds), the
 * time to the last byte (duration_seconds), the status code and, over
 * HTTPS, the seconds left until the server certificate's notAfter
 * (cert_expiry_seconds, negative once expired). A URL without a host uses
 * the target's address, so one probe definition serves many targets. A
 * certificate that fails verification is a collector error with reason
 * `tls` naming OpenSSL's verdict, so the operator sees why, not only that.
 */
export class HttpCollector implements Collector<HttpSpec> {
  readonly kind = 'http';

  constructor(private readonly clock: Clock = systemClock) {}

  async collect(target: Target, block: HttpSpec, signal: AbortSignal): Promise<Sample[]> {
    const spec = httpOptions(block);
    const url = new URL(spec.url.replace('{address}', bracketIpv6(target.address)));
    const tags = { target: target.name, site: target.site, probe: spec.name };
    const sample = (fields: Record<string, number>): Sample[] =>
      [{ measurement: 'probe', tags, fields, time: this.clock.now(), integerFields: ['success', 'status_code'] }];
    const ca = spec.tlsCa ? await readCa(target, spec.tlsCa, sample({ success: 0 })) : undefined;
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    return new Promise<Sample[]>((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(url, {
        method: spec.method,
        headers: { 'user-agent': 'kpid-probe', ...spec.headers },
        signal,
        rejectUnauthorized: spec.tlsVerify,
        ...(ca ? { ca } : {}),
      }, (res) => {
        const headers = seconds();
        const expiry = certExpirySeconds(res, this.clock.now());
        res.on('data', () => {});
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          resolve(sample({
            success: spec.expectStatus.includes(status) ? 1 : 0,
            status_code: status,
            rtt_seconds: headers,
            duration_seconds: seconds(),
            ...(expiry !== undefined ? { cert_expiry_seconds: expiry } : {}),
          }));
        });
        res.on('error', () => resolve(sample({ success: 0, status_code: res.statusCode ?? 0 })));
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') {
          reject(new CollectorError('http', 'resolve', `target "${target.name}": cannot resolve "${url.hostname}"`,
            { target: target.name }, sample({ success: 0 })));
        } else if (isCertificateRejection(err)) {
          reject(new CollectorError('http', 'tls',
            `target "${target.name}": certificate of ${url.host} rejected: ${err.code} (${err.message}); ` +
            'configure tls_ca with the issuing CA, or tls_verify: false for a lab device',
            { target: target.name, probe: spec.name, verdict: err.code ?? '' }, sample({ success: 0 })));
        } else resolve(sample({ success: 0 }));
      });
      req.end();
    });
  }
}

/** `{address}` in a URL: an IPv6 literal needs brackets there (RFC 3986 §3.2.2). */
function bracketIpv6(address: string): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
}

async function readCa(target: Target, file: string, failed: Sample[]): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new CollectorError('http', 'tls_ca', `target "${target.name}": cannot read tls_ca "${file}": ${errorMessage(err)}`,
      { target: target.name, file }, failed);
  }
}

/** Seconds from now to the peer certificate's notAfter; undefined over plain HTTP. */
function certExpirySeconds(res: IncomingMessage, now: number): number | undefined {
  const socket = res.socket as TLSSocket | null;
  if (!socket || typeof socket.getPeerCertificate !== 'function') return undefined;
  const notAfter = Date.parse(socket.getPeerCertificate().valid_to ?? '');
  return Number.isFinite(notAfter) ? Math.round((notAfter - now) / 1000) : undefined;
}

/** OpenSSL's verification verdicts (X509_V_ERR_*) and Node's host-name check. */
function isCertificateRejection(err: NodeJS.ErrnoException): boolean {
  return err.code === 'ERR_TLS_CERT_ALTNAME_INVALID' || /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(err.code ?? '');
}
