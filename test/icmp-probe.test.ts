import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IcmpCollector } from '../src/collectors/icmp/icmp-collector.js';
import { CollectorError } from '../src/core/errors.js';
import type { Target } from '../src/core/target.js';
import { createTestHost, type TestHost } from './helpers/netns.js';

const icmp = (count: number, spacing = 10) =>
  ({ type: 'icmp' as const, name: 'icmp', count, spacing, reply_timeout: 500 });

function target(name: string, address: string): Target {
  return { name, site: 'lab', address, labels: {}, interval: 30_000, timeout: 20_000, probes: [] };
}

/** z-score bound on a binomial proportion: generous enough never to flake, tight enough to catch a wrong count. */
function binomialBound(n: number, p: number, z = 4.5): [number, number] {
  const sd = Math.sqrt((p * (1 - p)) / n);
  return [p - z * sd, p + z * sd];
}

describe('ICMP probe against a host in a network namespace', () => {
  let clean: TestHost;
  let lossy: TestHost;
  const collector = new IcmpCollector();
  const signal = new AbortController().signal;

  beforeAll(() => {
    clean = createTestHost('kpt-icmp-a', 61);
    lossy = createTestHost('kpt-icmp-b', 62);
    lossy.dropIcmp(20);
  });
  afterAll(async () => {
    clean?.remove();
    lossy?.remove();
    await collector.close();
  });

  it('a healthy host answers every echo: loss 0, rtt min ≤ avg ≤ max, jitter measured', async () => {
    const [s] = await collector.collect(target('clean', clean.address), icmp(20), signal);
    expect(s!.measurement).toBe('probe');
    expect(s!.tags).toEqual({ target: 'clean', site: 'lab', probe: 'icmp' });
    expect(s!.fields).toMatchObject({ success: 1, sent: 20, received: 20, loss_ratio: 0 });
    const f = s!.fields;
    expect(f.rtt_min_seconds!).toBeGreaterThan(0);
    expect(f.rtt_min_seconds!).toBeLessThanOrEqual(f.rtt_seconds!);
    expect(f.rtt_seconds!).toBeLessThanOrEqual(f.rtt_max_seconds!);
    // Seconds, not milliseconds: a veth answers in microseconds. The best of 20 echoes
    // is not held up by a busy machine; the worst may be, so it is held only to the
    // reply timeout.
    expect(f.rtt_min_seconds!).toBeLessThan(0.005);
    expect(f.rtt_max_seconds!).toBeLessThan(0.5);
    expect(f.jitter_seconds!).toBeGreaterThanOrEqual(0);
  });

  it('loss injected with nft at 20 % is measured within a binomial bound', async () => {
    const count = 500;
    const [s] = await collector.collect(target('lossy', lossy.address), icmp(count, 5), signal);
    const [lo, hi] = binomialBound(count, 0.2);
    expect(s!.fields.sent).toBe(count);
    expect(s!.fields.loss_ratio).toBeGreaterThan(lo);
    expect(s!.fields.loss_ratio).toBeLessThan(hi);
    expect(s!.fields.received).toBe(count - Math.round(s!.fields.loss_ratio! * count));
    expect(s!.fields.success).toBe(1);
  });

  it('many targets in one batch each get their own result', async () => {
    const results = await Promise.all([
      collector.collect(target('a', clean.address), icmp(10), signal),
      collector.collect(target('b', '127.0.0.1'), icmp(10), signal),
      collector.collect(target('c', clean.silentAddress), icmp(10), signal),
    ]);
    expect(results.map(([s]) => [s!.tags.target, s!.fields.success, s!.fields.loss_ratio])).toEqual([
      ['a', 1, 0], ['b', 1, 0], ['c', 0, 1],
    ]);
  });

  it('an unreachable host is a failed probe (success 0, loss 1), not a crash', async () => {
    const [s] = await collector.collect(target('gone', clean.silentAddress), icmp(5), signal);
    expect(s!.fields).toEqual({ success: 0, sent: 5, received: 0, lost: 5, loss_ratio: 1 });
  });

  it('an unresolvable address is an error naming the target, with a failed sample', async () => {
    const err = await collector.collect(target('typo', 'no-such-host.invalid'), icmp(3), signal).catch((e) => e);
    expect(err).toBeInstanceOf(CollectorError);
    expect(err.reason).toBe('resolve');
    expect(err.message).toContain('target "typo"');
    expect(err.samples[0].fields.success).toBe(0);
  });

  it('without fping the error says how to install it', async () => {
    const missing = new IcmpCollector({ fping: { binary: 'fping-not-installed-here' } });
    const err = await missing.collect(target('x', '127.0.0.1'), icmp(1), signal).catch((e) => e);
    expect(err.reason).toBe('fping_missing');
    expect(err.message).toContain('apt-get install fping');
  });
});
