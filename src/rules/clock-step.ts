import type { EngineState } from './engine-state.js';
import { deadlineOf } from './lifecycle.js';
import { shiftRing } from './ring.js';
import { shiftLastSeen } from './series-alert.js';

/**
 * The wall clock stepped by `ms` (negative: back): moves every instant the
 * engine times from by the same amount, so `for`, `clear.for`,
 * `keep_firing_for`, `no_data` and `over` windows keep measuring real
 * elapsed time (docs/time.md). Without this a forward step of 2 h fires
 * every pending alert at once, and a backward step of 1 h holds them an
 * hour. A firing alert's `activeAt` stays: it names the alert and its
 * messages, and was announced.
 */
export function shiftTimes(state: EngineState, ms: number): void {
  let next = Infinity;
  for (const series of state.series.values()) {
    // A series' lifetime is real time too: a forward step must not make it look silent.
    series.expiresAt += ms;
    // Once per ring: the windows of a span share its times.
    for (const r of series.rings) shiftRing(r, ms);
    for (let k = 0; k < series.entries.rules.length; k++) shiftLastSeen(series, k, ms);
    // The rest of an entry's times exist once it is kept as an object (series-alert.ts).
    for (const e of series.alerts ?? []) {
      if (e === undefined) continue;
      if (e.state === 'pending') {
        e.activeAt += ms;
        e.crossedAt += ms;
        e.evidenceSince += ms;
      } else if (e.state === 'firing') {
        e.clockShift += ms;
      }
      // NaN (unset) stays NaN.
      e.clearSince += ms;
      if (state.timed.has(e)) {
        e.deadline = deadlineOf(e);
        next = Math.min(next, e.deadline);
      }
    }
  }
  state.nextDeadline = next;
}
