import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DnsCollector } from '../src/collectors/dns/dns-collector.js';
import { dnsProbe } from '../src/collectors/dns/dns-config.js';
import type { CollectorError } from '../src/core/errors.js';
import type { Sample } from '../src/core/sample.js';
import type { Target } from '../src/core/target.js';
import { eventually, startKpid, type KpidProcess } from './helpers/kpid-process.js';
import { startDnsmasq, type Dnsmasq } from './helpers/dnsmasq.js';
import { createTestHost, type TestHost } from './helpers/netns.js';

const collector = new DnsCollector();
const never = new AbortController().signal;

function target(address: string): Target {
  return { name: 'resolver', site: 'lab', address, labels: {}, interval: 30_000, timeout: 5_000, probes: [] };
}

/** A probe as the config schema gives it (defaults applied), asking `server#port`. */
function probe(server: Dnsmasq, fields: Record<string, unknown>) {
  const spec = dnsProbe.parse({ type: 'dns', port: server.port, ...fields });
  return { ...spec, name: `dns:${spec.query}` };
}

/** The samples of a probe that failed, and why. */
async function failure(run: Promise<Sample[]>): Promise<{ reason: string; message: string; fields: Record<string, number> }> {
  const err = (await run.then(
    (s) => { throw new Error(`expected a failure, got ${JSON.stringify(s)}`); },
    (e: unknown) => e,
  )) as CollectorError;
  expect(err.collector).toBe('dns');
  return { reason: err.reason, message: err.message, fields: { ...err.samples[0]!.fields } };
}

// 13 TXT strings of 200 bytes: about 2.7 kB, far past the 512 bytes a UDP answer without EDNS may carry (RFC 1035 §4.2.1).
const bigTxt = Array.from({ length: 13 }, (_, i) => `--txt-record=big.test,${String(i).padStart(3, '0')}${'x'.repeat(197)}`);

describe('DNS probe against a real resolver (dnsmasq)', () => {
  let dns: Dnsmasq;
  let upstream: Dnsmasq;
  let validating: Dnsmasq;

  beforeAll(async () => {
    upstream = await startDnsmasq(['--address=/signed.example/192.0.2.5']);
    // A validating resolver whose trust anchor (the real root KSK) the upstream's unsigned answers
    // cannot chain to: every answer is bogus, and a validator answers bogus data with SERVFAIL (RFC 4035 §5.5).
    validating = await startDnsmasq(['--dnssec', `--server=127.0.0.1#${upstream.port}`,
      '--trust-anchor=.,20326,8,2,E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D']);
    dns = await startDnsmasq([
      '--local=/test/', // names under .test that have no record: NXDOMAIN, never forwarded
      '--host-record=good.test,192.0.2.10',
      '--address=/hijacked.test/10.9.9.9',
      '--txt-record=version.test,kpid-resolver 2.90',
      ...bigTxt,
    ]);
  });
  afterAll(async () => {
    await Promise.all([dns?.stop(), validating?.stop(), upstream?.stop()]);
  });

  it('a good answer succeeds with rcode 0, the answer time and a match', async () => {
    const [s] = await collector.collect(target(dns.address),
      probe(dns, { query: 'good.test', expect_address: '192.0.2.10' }), never);
    expect(s!.tags).toEqual({ target: 'resolver', site: 'lab', probe: 'dns:good.test' });
    expect(s!.fields).toMatchObject({ success: 1, rcode: 0, answers: 1, answer_matches: 1, truncated: 0, tcp: 0, failure_reason: 0 });
    expect(s!.fields.rtt_seconds).toBeGreaterThan(0);
    expect(s!.fields.rtt_seconds).toBeLessThan(2);
  });

  it('an answer with an address other than the expected one is a wrong_answer', async () => {
    const f = await failure(collector.collect(target(dns.address),
      probe(dns, { query: 'hijacked.test', expect_address: ['192.0.2.10', '192.0.2.11'] }), never));
    expect(f.reason).toBe('wrong_answer');
    expect(f.fields).toMatchObject({ success: 0, rcode: 0, answers: 1, answer_matches: 0, failure_reason: 4 });
    expect(f.message).toContain('unexpected answer [10.9.9.9]');
  });

  it('expect_regex is tested against the record text', async () => {
    const ok = await collector.collect(target(dns.address),
      probe(dns, { query: 'version.test', record_type: 'TXT', expect_regex: '^kpid-resolver 2\\.' }), never);
    expect(ok[0]!.fields).toMatchObject({ success: 1, answer_matches: 1 });
    const f = await failure(collector.collect(target(dns.address),
      probe(dns, { query: 'version.test', record_type: 'TXT', expect_regex: '^bind ' }), never));
    expect(f.reason).toBe('wrong_answer');
  });

  it('a name that does not exist is nxdomain', async () => {
    const f = await failure(collector.collect(target(dns.address), probe(dns, { query: 'missing.test' }), never));
    expect(f.reason).toBe('nxdomain');
    expect(f.fields).toMatchObject({ success: 0, rcode: 3, failure_reason: 2 });
  });

  it('a resolver that cannot validate the answer says servfail', async () => {
    const plain = await collector.collect(target(upstream.address), probe(upstream, { query: 'www.signed.example' }), never);
    expect(plain[0]!.fields.success).toBe(1);
    const f = await failure(collector.collect(target(validating.address), probe(validating, { query: 'www.signed.example' }), never));
    expect(f.reason).toBe('servfail');
    expect(f.fields).toMatchObject({ success: 0, rcode: 2, failure_reason: 3 });
  });

  it('a resolver with no upstream for the name refuses', async () => {
    const f = await failure(collector.collect(target(upstream.address), probe(upstream, { query: 'elsewhere.example' }), never));
    expect(f.reason).toBe('refused');
    expect(f.fields).toMatchObject({ success: 0, rcode: 5, failure_reason: 6 });
  });

  it('a truncated UDP answer is asked again over TCP and succeeds', async () => {
    const [s] = await collector.collect(target(dns.address),
      probe(dns, { query: 'big.test', record_type: 'TXT', expect_regex: '^012x' }), never);
    expect(s!.fields).toMatchObject({ success: 1, truncated: 1, tcp: 1, answers: 13, answer_matches: 1 });
  });

  it('with TCP fallback off, a truncated answer is the truncated failure', async () => {
    const f = await failure(collector.collect(target(dns.address),
      probe(dns, { query: 'big.test', record_type: 'TXT', tcp_fallback: false }), never));
    expect(f.reason).toBe('truncated');
    expect(f.fields).toMatchObject({ success: 0, truncated: 1, tcp: 0, failure_reason: 5 });
  });

  it('kpid run counts each failure kind under its own reason and stores the probe sample', async () => {
    const kinds = {
      ok: `{ type: dns, query: good.test, port: ${dns.port}, expect_address: 192.0.2.10 }`,
      wrong_answer: `{ type: dns, query: hijacked.test, port: ${dns.port}, expect_address: 192.0.2.10 }`,
      nxdomain: `{ type: dns, query: missing.test, port: ${dns.port} }`,
      servfail: `{ type: dns, query: www.signed.example, port: ${validating.port} }`,
      truncated: `{ type: dns, query: big.test, record_type: TXT, tcp_fallback: false, port: ${dns.port} }`,
    };
    const kpid: KpidProcess = await startKpid([
      'server: { listen: "127.0.0.1:0" }',
      'defaults: { interval: 1s, timeout: 800ms }',
      'targets:',
      '  - name: resolver',
      '    address: 127.0.0.1',
      '    probes:',
      ...Object.values(kinds).map((p) => `      - ${p}`),
      '',
    ].join('\n'));
    try {
      const text = await eventually(async () => {
        const t = await kpid.metrics();
        return ['wrong_answer', 'nxdomain', 'servfail', 'truncated']
          .every((r) => new RegExp(`kpid_collector_errors_total\\{collector="dns",reason="${r}"\\} [1-9]`).test(t)) && t;
      });
      expect(text).toMatch(/kpid_probe_success\{target="resolver",probe="dns:good.test"\} 1/);
      expect(text).toMatch(/kpid_probe_success\{target="resolver",probe="dns:missing.test"\} 0/);
      expect(text).not.toMatch(/collector="dns",reason="(timeout|internal|refused)"/);
    } finally {
      await kpid.stop();
    }
  });

  it('the server defaults to the target address', async () => {
    const [s] = await collector.collect(target('127.0.0.1'),
      { ...probe(dns, { query: 'good.test' }), server: undefined }, never);
    expect(s!.fields.success).toBe(1);
  });
});

describe('DNS probe: answers lost on the way (nft in a namespace of the test\'s own)', () => {
  let host: TestHost;
  let dns: Dnsmasq;

  beforeAll(async () => {
    host = createTestHost('kpt-dns', 71);
    dns = await startDnsmasq(['--host-record=good.test,192.0.2.10'],
      { address: host.address, port: 53, prefix: ['ip', 'netns', 'exec', host.ns] });
  });
  afterAll(async () => {
    await dns?.stop();
    host?.remove();
  });

  it('the resolver answers until every query to it is dropped; then the probe is a timeout', async () => {
    const spec = probe(dns, { query: 'good.test', answer_timeout: '300ms' });
    const [before] = await collector.collect(target(host.address), spec, never);
    expect(before!.fields.success).toBe(1);

    host.exec('nft', ['-f', '-'], [
      'table inet kpiddns {',
      '  chain in { type filter hook input priority 0; udp dport 53 drop; tcp dport 53 drop; }',
      '}',
      '',
    ].join('\n'));
    const started = Date.now();
    const f = await failure(collector.collect(target(host.address), spec, never));
    expect(f.reason).toBe('timeout');
    expect(f.fields).toMatchObject({ success: 0, failure_reason: 1 });
    expect(f.fields.rtt_seconds).toBeUndefined();
    // It gave up at its own answer_timeout, not at some far later bound.
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
