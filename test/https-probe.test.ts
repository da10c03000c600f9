import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpCollector } from '../src/collectors/http/http-collector.js';
import { httpProbe } from '../src/collectors/http/http-config.js';
import { CollectorError } from '../src/core/errors.js';
import type { Sample } from '../src/core/sample.js';
import type { Target } from '../src/core/target.js';
import { defineMetrics } from '../src/metrics/definitions.js';
import { MetricsSink } from '../src/metrics/metrics-sink.js';
import { probeMappers } from '../src/metrics/probe-mapper.js';
import { SeriesTracker } from '../src/metrics/series-tracker.js';

const target: Target = { name: 'portal', site: 'lab', address: '127.0.0.1', labels: {}, interval: 30_000, timeout: 5_000, probes: [] };
const DAY = 86_400;

describe('HTTPS probe against a local server with a self-signed certificate (made by openssl)', () => {
  let dir: string;
  let server: Server;
  let port: number;
  let notAfter: number;
  const collector = new HttpCollector();
  const probe = (extra: Record<string, unknown>, host = '{address}') =>
    ({ ...httpProbe.parse({ type: 'http', url: `https://${host}:${port}/health`, ...extra }), name: 'web' });
  const collect = (extra: Record<string, unknown>, host?: string) => collector.collect(target, probe(extra, host), new AbortController().signal);
  const rejection = (extra: Record<string, unknown>, host?: string) => collect(extra, host).then(
    () => expect.fail('the probe should have failed'),
    (err: unknown) => err as CollectorError,
  );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kpid-https-'));
    // A certificate valid for 30 days, for the address 127.0.0.1 only.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '30', '-subj', '/CN=kpid lab portal',
      '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' });
    const end = execFileSync('openssl', ['x509', '-enddate', '-noout', '-in', join(dir, 'cert.pem')], { encoding: 'utf8' });
    notAfter = Date.parse(end.trim().replace(/^notAfter=/, ''));
    server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (_req, res) => res.writeHead(200).end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => {
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('with verification off it succeeds and reports the seconds left until the certificate\'s notAfter', async () => {
    const [s] = await collect({ tls_verify: false });
    expect(s!.fields).toMatchObject({ success: 1, status_code: 200 });
    // Ground truth: openssl's own reading of the certificate, against the sample's time.
    const expected = (notAfter - s!.time) / 1000;
    expect(Math.abs(s!.fields.cert_expiry_seconds! - expected)).toBeLessThanOrEqual(1);
    expect(s!.fields.cert_expiry_seconds!).toBeGreaterThan(29 * DAY);
  });

  it('with the issuing CA configured (tls_ca) it verifies and succeeds', async () => {
    const [s] = await collect({ tls_ca: join(dir, 'cert.pem') });
    expect(s!.fields).toMatchObject({ success: 1, status_code: 200 });
    expect(s!.fields.cert_expiry_seconds!).toBeGreaterThan(29 * DAY);
  });

  it('an untrusted certificate fails the probe with reason tls and OpenSSL\'s verdict', async () => {
    const err = await rejection({});
    expect(err).toBeInstanceOf(CollectorError);
    expect(err.reason).toBe('tls');
    expect(err.message).toContain('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(err.message).toContain('portal');
    expect(err.samples.map((x) => x.fields)).toEqual([{ success: 0 }]);
  });

  it('a trusted certificate for another name fails with reason tls (host name check)', async () => {
    const err = await rejection({ tls_ca: join(dir, 'cert.pem') }, 'localhost');
    expect(err.reason).toBe('tls');
    expect(err.message).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('plain HTTP carries no certificate field', async () => {
    const plain = { ...httpProbe.parse({ type: 'http', url: `http://127.0.0.1:1/` }), name: 'web' };
    const [s] = await collector.collect(target, plain, new AbortController().signal);
    expect(s!.fields).toEqual({ success: 0 });
  });

  it('the expiry reaches /metrics as kpid_probe_cert_expiry_seconds', async () => {
    const registry = new Registry();
    const sink = new MetricsSink(new Map(probeMappers(defineMetrics(registry))), new SeriesTracker());
    const samples: Sample[] = await collect({ tls_verify: false });
    sink.write(samples);
    const text = await registry.metrics();
    expect(text).toContain('# TYPE kpid_probe_cert_expiry_seconds gauge');
    expect(text).toContain(`kpid_probe_cert_expiry_seconds{target="portal",probe="web"} ${samples[0]!.fields.cert_expiry_seconds}`);
  });
});
