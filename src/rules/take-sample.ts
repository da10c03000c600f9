import { holds } from '../core/comparison.js';
import type { Sample } from '../core/sample.js';
import type { Feed, SeriesFeeds } from './engine-state.js';
import type { CompiledRule } from './rule.js';
import { close, detach, open, put, type Ring } from './ring.js';
import { pushLast } from './window.js';

// What each feed of the series being fed takes from the sample, by its slot; reused from sample to sample.
let took = new Uint8Array(16);
let nums = new Float64Array(16);
let dens = new Float64Array(16);

/**
 * Puts a sample into the windows of its series that take it (its field is
 * there, and a ratio's denominator, and the rule's field filters pass), and
 * says which did: `took[feed.slot]` is 1 for those. Each ring takes the
 * sample once, for all of its windows.
 */
export function takeSample(series: SeriesFeeds, fields: Sample['fields'], time: number): Uint8Array {
  const feeds = series.feeds;
  if (took.length < feeds.length) {
    took = new Uint8Array(feeds.length * 2);
    nums = new Float64Array(feeds.length * 2);
    dens = new Float64Array(feeds.length * 2);
  }
  for (let i = 0; i < feeds.length; i++) {
    const feed = feeds[i]!;
    took[i] = 0;
    const num = fields[feed.field];
    if (num === undefined) continue;
    let den = 0;
    if (feed.denominator !== undefined) {
      const d = fields[feed.denominator];
      if (d === undefined) continue;
      den = d;
    }
    if (feed.filters.length && !passes(feed.filters, fields)) continue;
    took[i] = 1;
    if (feed.ring === null) pushLast(feed, num, den);
    else {
      nums[i] = num;
      dens[i] = den;
    }
  }
  const rings = series.rings;
  for (let k = 0; k < rings.length; k++) pushRing(series, rings[k]!, time);
  return took;
}

function pushRing(series: SeriesFeeds, ring: Ring, time: number): void {
  const windows = ring.windows as Feed[];
  let all = true;
  let any = false;
  for (let k = 0; k < windows.length; k++) {
    if (took[windows[k]!.slot]) any = true;
    else all = false;
  }
  if (!any) return;
  // Some windows of the ring do not take this sample: they go on without it, on rings of their own.
  if (!all) for (const w of windows.slice()) if (!took[w.slot]) series.rings.push(detach(ring, w));
  const at = open(ring, time);
  for (let k = 0; k < windows.length; k++) {
    const w = windows[k]!;
    put(ring, w, at, nums[w.slot]!, dens[w.slot]!);
  }
  close(ring, time);
}

function passes(filters: CompiledRule['fieldFilters'], fields: Sample['fields']): boolean {
  for (const f of filters) {
    const v = fields[f.field];
    if (v === undefined || !holds(f.when, v)) return false;
  }
  return true;
}
