import type { Clock, TimerHandle } from '../core/clock.js';
import { ClockJumpWatch } from '../core/clock-jumps.js';
import type { Logger } from '../core/logger.js';
import type { KpidMetrics } from '../metrics/definitions.js';

/** How often the daemon looks for a wall clock jump to report. */
const EVERY_MS = 1_000;

/**
 * Reports wall clock jumps (docs/time.md): a warning with the size and
 * direction, and kpid_clock_jumps_total{direction}. Reporting only: the
 * rules, SLA clocks, sweeper and scheduler each keep real time by
 * themselves, whether or not this has noticed yet.
 */
export class ClockWatch {
  private timer: TimerHandle | undefined;
  private readonly jumps: ClockJumpWatch;

  constructor(private readonly o: { clock: Clock; log: Logger; metrics: KpidMetrics }) {
    this.jumps = new ClockJumpWatch(o.clock);
    // Both directions show as 0 from the start, so a rate() over them has a series to work on.
    for (const direction of ['forward', 'backward']) o.metrics.clockJumps.inc({ direction }, 0);
  }

  start(): void {
    this.timer = this.o.clock.setTimeout(() => this.tick(), EVERY_MS);
  }

  stop(): void {
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const jump = this.jumps.check();
    if (jump) {
      this.o.metrics.clockJumps.inc({ direction: jump.direction });
      this.o.log.warn(
        { jumpSeconds: Math.round(jump.ms / 1000), direction: jump.direction, now: new Date(jump.at).toISOString() },
        `the wall clock jumped ${jump.direction} by ${formatSeconds(jump.ms)}; outage durations and SLA clocks keep real elapsed time`,
      );
    }
    this.start();
  }
}

function formatSeconds(ms: number): string {
  return `${Math.round(Math.abs(ms) / 1000)} s`;
}
