import { holds } from '../core/comparison.js';
import type { Sample } from '../core/sample.js';
import type { Feed, SeriesFeeds } from './engine-state.js';
import type { ReadPlan } from './read-plan.js';
import { close, detach, open, put, type Ring } from './ring.js';
import { pushLast } from './window.js';

// What each feed of the series being fed takes from the sample, by its slot; reused from sample to sample.
let took = new Uint8Array(16);
let nums = new Float64Array(16);
let dens = new Float64Array(16);
// The sample's fields the series reads, by their place in its read plan (read-plan.ts), and its checks' outcomes.
let has = new Uint8Array(32);
let values = new Float64Array(32);
let passed = new Uint8Array(16);

/**
 * Puts a sample into the windows of its series that take it (its field is
 * there, and a ratio's denominator, and the rule's field filters pass), and
 * says which did: `took[feed.slot]` is 1 for those. Each ring takes the
 * sample once, for all of its windows.
 */
export function takeSample(series: SeriesFeeds, fields: Sample['fields'], time: number): Uint8Array {
  const feeds = series.feeds;
  const plan = series.plan;
  read(plan, fields);
  if (took.length < feeds.length) {
    took = new Uint8Array(feeds.length * 2);
    nums = new Float64Array(feeds.length * 2);
    dens = new Float64Array(feeds.length * 2);
  }
  const { num: numAt, den: denAt, needs, needsFrom } = plan;
  for (let i = 0; i < feeds.length; i++) {
    took[i] = 0;
    const n = numAt[i]!;
    if (!has[n]) continue;
    const d = denAt[i]!;
    if (d >= 0 && !has[d]) continue;
    let pass = true;
    for (let j = needsFrom[i]!; j < needsFrom[i + 1]!; j++) {
      if (!passed[needs[j]!]) {
        pass = false;
        break;
      }
    }
    if (!pass) continue;
    took[i] = 1;
    const num = values[n]!;
    const den = d >= 0 ? values[d]! : 0;
    const feed = feeds[i]!;
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

/** Looks up each field the plan reads once, and checks each of its field filters once. */
function read(plan: ReadPlan, fields: Sample['fields']): void {
  const names = plan.fields;
  if (has.length < names.length) {
    has = new Uint8Array(names.length * 2);
    values = new Float64Array(names.length * 2);
  }
  for (let k = 0; k < names.length; k++) {
    const v = fields[names[k]!];
    if (v === undefined) has[k] = 0;
    else {
      has[k] = 1;
      values[k] = v;
    }
  }
  const checks = plan.checks;
  if (passed.length < checks.length) passed = new Uint8Array(checks.length * 2);
  for (let c = 0; c < checks.length; c++) {
    const at = plan.checkAt[c]!;
    passed[c] = has[at] && holds(checks[c]!, values[at]!) ? 1 : 0;
  }
}
