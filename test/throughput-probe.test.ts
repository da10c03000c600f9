import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ThroughputCollector } from '../src/collectors/throughput/throughput-collector.js';
import { throughputProbe } from '../src/config/sections/probes.js';
import type { Target } from '../src/core/target.js';
import { expectedGoodput, startShapedLink, type ShapedLink } from './helpers/shaped-link.js';

const collector = new ThroughputCollector();
const never = () => new AbortController().signal;

function target(): Target {
  return { name: 'edge', site: 'lab', address: '0.0.0.0', labels: {}, interval: 60_000, timeout: 30_000, probes: [] };
}

function probe(fields: Record<string, unknown>) {
  const spec = throughputProbe.parse({ type: 'throughput', ...fields });
  return { ...spec, name: (fields.name as string | undefined) ?? `throughput:${spec.url}` };
}

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
