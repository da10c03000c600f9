import type { AlertTransition } from '../core/alert.js';
import type { EngineState } from './engine-state.js';
import { dropSeries } from './engine.js';
import { to } from './lifecycle.js';
import type { SeriesAlert } from './series-alert.js';
import { newestTime, type Window } from './window.js';

/**
 * Forgets the series that sent nothing for their lifetime (an interface
 * that left the ifTable, a pushed tag value that changed): their windows,
 * their entries and their place in the engine's indexes. Their alerts end
 * the way the rule's `no_data` says:
 *
 * - a rule without `no_data` had no way to hear of the silence, and the
 *   series is gone: a firing alert resolves and a pending one ends, reason
 *   `no_data`, value empty;
 * - a rule with `no_data` asked to be told: the series is kept until its
 *   `no_data` alert fires, and for as long as it fires (until data returns
 *   or the target leaves the config), so that alert is never lost.
 *
 * A series is also kept while one of its time windows still counts a
 * sample, or while a trend or baseline rule learns from it (heldForModel), so a rule adding up sporadic samples (traps, a report every few
 * minutes) over 10 minutes still sees them all.
 *
 * Called on a timer (rule-runner.ts); costs one look at each series.
 */
export function forgetSilentSeries(state: EngineState, now: number): AlertTransition[] {
  const out: AlertTransition[] = [];
  for (const [key, series] of state.series) {
    if (series.expiresAt > now) continue;
    let held = false;
    for (const feed of series.feeds) {
      if (feed.overMs > 0 && newestTime(feed.window) + feed.overMs > now) {
        held = true;
        continue;
      }
      if (feed.model !== undefined && heldForModel(feed.window, now)) {
        held = true;
        continue;
      }
      for (const e of feed.entries) {
        if (heldByNoData(e)) {
          held = true;
          continue;
        }
        if (e.state === 'firing') {
          e.value = NaN;
          to(state, e, 'resolved', now, 'no_data', out, now);
        } else if (e.state === 'pending') to(state, e, 'inactive', now, 'no_data', out);
      }
    }
    if (!held) dropSeries(state, key);
  }
  return out;
}

/**
 * What a trend or baseline rule learnt took weeks: a device down for an hour,
 * or a series put back from the state store before its first sample, keeps
 * it. A series silent for a week is forgotten (its last save stays in the
 * store until the store's own cut-off).
 */
const MODEL_SILENCE_MS = 7 * 86_400_000;

function heldForModel(w: Window, now: number): boolean {
  const newest = newestTime(w);
  return newest === -Infinity || newest + MODEL_SILENCE_MS > now;
}

/** A rule with `no_data` keeps an entry whose silence alert has yet to fire, or fires. */
function heldByNoData(e: SeriesAlert): boolean {
  if (e.rule.noDataMs === 0) return false;
  if (e.state === 'firing' || e.state === 'pending') return true;
  // Not yet past its no_data deadline (a sample was seen): tick() will fire it.
  return !e.noData && !Number.isNaN(e.lastSeen);
}
