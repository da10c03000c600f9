import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../src/config/schema.js';
import { jobsFor } from '../src/scheduler/jobs.js';
import { ThroughputCollector } from '../src/collectors/throughput/throughput-collector.js';
import { expectedGoodput, probeSpec as probe, probeTarget as target, startShapedLink, type ShapedLink } from './helpers/shaped-link.js';

const collector = new ThroughputCollector();
const never = () => new AbortController().signal;

describe('throughput probe over a tbf-shaped link (ground truth: the shaper\'s rate)', () => {
  let link: ShapedLink;

  beforeAll(async () => {
    link = await startShapedLink('kpt-thr', 83);
  });
  afterAll(() => link?.stop());

  // About 2.5 s of transfer at each rate: long enough that the shaper's burst and TCP's slow start are small.
  it.each([20, 100, 400])('at %i Mbit/s the download goodput is within 5 per cent of what tbf lets through', async (mbit) => {
    link.shape(mbit);
    const size = Math.round((mbit * 1e6 / 8) * 2.5);
    const [s] = await collector.collect(target(), probe({ url: `${link.base}/bytes/${size}`, max_bytes: size }), never());
    const expected = expectedGoodput(mbit);
    expect(s!.fields).toMatchObject({ success: 1, status_code: 200, bytes: size });
    const measured = s!.fields.download_bits_per_second!;
    console.log(`tbf ${mbit} Mbit/s: expected ${(expected / 1e6).toFixed(1)}, measured ${(measured / 1e6).toFixed(1)} Mbit/s`);
    expect(Math.abs(measured - expected) / expected).toBeLessThan(0.05);
    expect(s!.fields.ttfb_seconds).toBeGreaterThan(0);
    expect(s!.fields.duration_seconds).toBeGreaterThan(s!.fields.ttfb_seconds!);
  }, 60_000);
});

describe('throughput probe at 1 per cent segment loss (nft numgen on the shaped link)', () => {
  let link: ShapedLink;

  beforeAll(async () => {
    link = await startShapedLink('kpt-thl', 101);
    link.shape(100);
    // Reno, the loss-based congestion control the Mathis formula models; this kernel's default is BBR, which
    // does not take random loss for congestion. The namespace's own setting: nothing else is affected.
    link.host.exec('sysctl', ['-qw', 'net.ipv4.tcp_congestion_control=reno']);
  });
  afterAll(() => link?.stop());

  it('the download goodput drops below the lossless figure but stays above the Mathis floor, and the probe succeeds', async () => {
    const size = Math.round((100e6 / 8) * 2.5);
    const goodput = async () => {
      const [s] = await collector.collect(target(), probe({ url: `${link.base}/bytes/${size}`, max_bytes: size }), never());
      expect(s!.fields).toMatchObject({ success: 1, status_code: 200, bytes: size });
      return s!.fields.download_bits_per_second!;
    };
    // Without loss the shaper caps the goodput and a busy machine can only lower it, so the lossless figure is
    // the better of a run before and a run after the lossy one.
    link.loseTcp(0); // the same one-segment packets, none lost
    const before = await goodput();
    link.loseTcp(1);
    const lossy = await goodput();
    const lost = link.lostTcp();
    link.loseTcp(0);
    const lossless = Math.max(before, await goodput());
    console.log(`tbf 100 Mbit/s: lossless ${(lossless / 1e6).toFixed(1)}, at 1 % loss ${(lossy / 1e6).toFixed(1)} Mbit/s, ${lost} segments lost`);
    // The loss happened: about 1 % of the ~21,600 segments (at least half that, allowing for chance).
    expect(lost).toBeGreaterThan((size / 1448) * 0.005);
    // Mathis et al. (1997): a loss-based TCP sustains about MSS / RTT × 1.22 / sqrt(p). The round trip here
    // is under a millisecond unloaded and at most tbf's 50 ms queue (its `latency`) loaded, so the formula
    // gives 1448 × 8 / 0.05 × 1.22 / 0.1 = 2.8 Mbit/s at the worst round trip, halved for the
    // retransmission timeouts the formula leaves out: the floor. At the sub-millisecond round trip the same
    // formula gives several hundred Mbit/s, above the link's rate, so TCP makes the figure drop only a
    // little: 1 to 16 % in trials (95.2 to 80.5 against 96.2 Mbit/s), each loss halving Reno's window for a moment.
    const floor = ((1448 * 8) / 0.05) * (1.22 / Math.sqrt(0.01)) / 2;
    expect(lossy).toBeGreaterThan(floor);
    expect(lossy).toBeLessThan(lossless);
  }, 60_000);
});

describe('throughput probe: what it reads, sends and refuses', () => {
  let link: ShapedLink;

  beforeAll(async () => {
    link = await startShapedLink('kpt-thq', 89);
    link.shape(200);
  });
  afterAll(() => link?.stop());

  it('a byte range downloads only those bytes', async () => {
    const [s] = await collector.collect(target(), probe({ url: `${link.base}/bytes/50000000`, range: '1000-2000999' }), never());
    expect(s!.fields).toMatchObject({ success: 1, status_code: 206, bytes: 2_000_000 });
  });

  it('the byte cap stops the download there and still reports its goodput', async () => {
    const [s] = await collector.collect(target(), probe({ url: `${link.base}/bytes/500000000`, max_bytes: 3_000_000 }), never());
    expect(s!.fields).toMatchObject({ success: 1, bytes: 3_000_000 });
    expect(s!.fields.download_bits_per_second).toBeGreaterThan(0);
  });

  it('an upload POSTs the configured bytes and reports its goodput', async () => {
    const [s] = await collector.collect(target(),
      probe({ url: `${link.base}/bytes/1000000`, upload_url: `${link.base}/sink`, upload_bytes: 5_000_000 }), never());
    expect(s!.fields).toMatchObject({ success: 1, upload_bytes: 5_000_000 });
    // The upload goes from host to namespace, the unshaped direction: faster than the 200 Mbit/s download link would allow is fine, zero is not.
    expect(s!.fields.upload_bits_per_second).toBeGreaterThan(1e6);
  });

  it('a missing object is a failed probe with its status', async () => {
    const [s] = await collector.collect(target(), probe({ url: `${link.base}/nothing` }), never());
    expect(s!.fields).toMatchObject({ success: 0, status_code: 404 });
  });

  it('a download cut by the poll timeout is a timeout error carrying what was read', async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(new Error('timeout')), 500);
    const err = await collector.collect(target(), probe({ url: `${link.base}/bytes/500000000` }), ctl.signal).catch((e) => e);
    expect(err.reason).toBe('timeout');
    expect(err.samples[0].fields.success).toBe(0);
  });

  it('two throughput probes of one target never run at the same time', async () => {
    const a = probe({ name: 'a', url: `${link.base}/bytes/5000000` });
    const b = probe({ name: 'b', url: `${link.base}/bytes/5000000` });
    const samples = await Promise.all([collector.collect(target(), a, never()), collector.collect(target(), b, never())]);
    expect(samples.map((s) => s[0]!.fields.success)).toEqual([1, 1]);
    const stats = (await (await fetch(`${link.base}/stats`)).json()) as { maxConcurrent: number };
    // The server saw the transfers of this whole describe block; at most one at a time.
    expect(stats.maxConcurrent).toBe(1);
  });
});

describe('throughput probe config', () => {
  const config = (probeYaml: Record<string, unknown>, interval = '30s') => configSchema.safeParse({
    defaults: { interval, timeout: '10s' },
    targets: [{ name: 'edge', address: '192.0.2.1', probes: [{ type: 'throughput', url: 'http://192.0.2.1/10M', ...probeYaml }] }],
  });

  it('a probe timeout longer than the poll interval is a config error naming both', () => {
    const r = config({ timeout: '45s' });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['targets', 0, 'probes', 0, 'timeout']);
    expect(r.error!.issues[0]!.message).toMatch(/throughput probe "throughput:http:\/\/192.0.2.1\/10M" of target "edge" may run 45000ms, longer than the poll interval \(30000ms\)/);
  });

  it('a probe timeout within the interval is the poll timeout of its job', () => {
    const r = config({ timeout: '25s' });
    expect(r.success).toBe(true);
    const t = r.data!.targets[0]!;
    const [job] = jobsFor({ ...t, interval: 30_000, timeout: 10_000, probes: [{ ...t.probes[0]!, name: 'x' }] }, new Map());
    expect(job!.timeout).toBe(25_000);
  });
});
