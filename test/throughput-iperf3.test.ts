import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../src/config/schema.js';
import { ThroughputCollector } from '../src/collectors/throughput/throughput-collector.js';
import { expectedGoodput, probeSpec, probeTarget, startShapedLink, type ShapedLink } from './helpers/shaped-link.js';

const collector = new ThroughputCollector();
const never = () => new AbortController().signal;
const PORT = 5201; // inside the test's own namespace, so no other test can hold it
const iperf3 = (fields: Record<string, unknown> = {}) => probeSpec({ mode: 'iperf3', port: PORT, ...fields });

describe('throughput probe, iperf3 mode, against iperf3 -s over a tbf-shaped link', () => {
  let link: ShapedLink;
  let server: { stop(): Promise<void> };

  beforeAll(async () => {
    link = await startShapedLink('kpt-ipf', 97);
    link.shape(100);
    server = await link.startIperf3(PORT);
  });
  afterAll(() => link?.stop());

  it('at 100 Mbit/s the download (-R) reads within 5 per cent of what tbf lets through', async () => {
    const [s] = await collector.collect(probeTarget(link.host.address), iperf3({ duration: '3s' }), never());
    const expected = expectedGoodput(100);
    const measured = s!.fields.download_bits_per_second!;
    console.log(`iperf3 mode, tbf 100 Mbit/s: expected ${(expected / 1e6).toFixed(1)}, measured ${(measured / 1e6).toFixed(1)} Mbit/s`);
    expect(s!.fields.success).toBe(1);
    expect(Math.abs(measured - expected) / expected).toBeLessThan(0.05);
    expect(s!.fields.bytes).toBeGreaterThan(0);
    expect(s!.fields.duration_seconds).toBeGreaterThanOrEqual(2.9);
    expect(s!.tags.probe).toBe('throughput:iperf3:5201');
  }, 60_000);

  it('reverse: false measures the upload, the unshaped direction, and no download', async () => {
    const [s] = await collector.collect(probeTarget(link.host.address), iperf3({ duration: '1s', reverse: false }), never());
    expect(s!.fields.success).toBe(1);
    expect(s!.fields.upload_bits_per_second).toBeGreaterThan(1e6);
    expect(s!.fields.download_bits_per_second).toBeUndefined();
  });

  it('two iperf3 probes of one target run one after the other (the server takes one test at a time)', async () => {
    const t = probeTarget(link.host.address);
    const runs = [iperf3({ name: 'a', duration: '1s' }), iperf3({ name: 'b', duration: '1s' })].map((p) => collector.collect(t, p, never()));
    const samples = await Promise.all(runs);
    expect(samples.map((s) => s[0]!.fields.success)).toEqual([1, 1]);
  });

  it('a run cut by the probe timeout is a timeout failure, and its iperf3 is gone: the server takes the next run', async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(new Error('timeout')), 1000);
    const err = await collector.collect(probeTarget(link.host.address), iperf3({ duration: '30s' }), ctl.signal).catch((e) => e);
    expect(err.reason).toBe('timeout');
    expect(err.samples[0].fields.success).toBe(0);
    // A client left running would keep the server busy for 30 s. The server notices a killed
    // client within moments, later on a loaded machine: `busy` is retried for 10 s, well short of 30.
    const deadline = Date.now() + 10_000;
    let s: Awaited<ReturnType<typeof collector.collect>>[number] | undefined;
    while (!s) {
      const r = await collector.collect(probeTarget(link.host.address), iperf3({ duration: '1s' }), never()).catch((e) => e);
      if (Array.isArray(r)) s = r[0];
      else if (r.reason !== 'busy' || Date.now() > deadline) throw r;
      else await new Promise((res) => setTimeout(res, 500));
    }
    expect(s!.fields.success).toBe(1);
  }, 60_000);

  it('a server that is down is a `refused` failure naming the target, the probe and iperf3\'s reason', async () => {
    await server.stop();
    const err = await collector.collect(probeTarget(link.host.address), iperf3({ duration: '1s' }), never()).catch((e) => e);
    expect(err.reason).toBe('refused');
    expect(err.message).toMatch(/target "edge": throughput:iperf3:5201: iperf3: unable to connect to server: Connection refused/);
    expect(err.samples[0].fields).toEqual({ success: 0 });
  });

  it('a host that is not there is an `unreachable` failure, distinct from a refused connection', async () => {
    const err = await collector.collect(probeTarget(link.host.silentAddress), iperf3({ duration: '1s' }), never()).catch((e) => e);
    expect(err.reason).toBe('unreachable');
  }, 30_000);
});

describe('throughput probe config, iperf3 mode', () => {
  const parse = (fields: Record<string, unknown>) => configSchema.safeParse({
    defaults: { interval: '30s', timeout: '10s' },
    targets: [{ name: 'edge', address: '192.0.2.1', probes: [{ type: 'throughput', ...fields }] }],
  });

  it('defaults to port 5201, 3 s and the download direction', () => {
    const r = parse({ mode: 'iperf3' });
    expect(r.data!.targets[0]!.probes[0]).toMatchObject({ mode: 'iperf3', port: 5201, duration: 3000, reverse: true });
  });

  it('iperf3 sends whole seconds only, so a fraction is a config error', () => {
    const r = parse({ mode: 'iperf3', duration: '2500ms' });
    expect(r.error!.issues[0]!.message).toBe('duration must be whole seconds, as in 3s');
  });

  it('a duration that does not fit in the probe\'s timeout is a config error naming both', () => {
    const r = parse({ mode: 'iperf3', duration: '10s' });
    expect(r.error!.issues[0]!.path).toEqual(['targets', 0, 'probes', 0, 'duration']);
    expect(r.error!.issues[0]!.message).toMatch(/iperf3 probe "throughput:iperf3:5201" of target "edge" sends for 10000ms but may run only 10000ms/);
    expect(parse({ mode: 'iperf3', duration: '10s', timeout: '15s' }).success).toBe(true);
  });

  it('an HTTP key in iperf3 mode, or an unknown mode, is a config error naming it', () => {
    expect(parse({ mode: 'iperf3', url: 'http://192.0.2.1/x' }).error!.issues[0]!.message).toMatch(/url/);
    expect(parse({ mode: 'ftp' }).error!.issues[0]!.message).toBe('unknown throughput mode; expected http or iperf3');
  });
});
