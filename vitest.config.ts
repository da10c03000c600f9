import { defineConfig } from 'vitest/config';

/**
 * Most test files wait on real components (timers, agents, daemons) far more
 * than they compute: run serially the suite used a third of one core. So
 * files run side by side, four at a time (this phase took 319 s with
 * three workers and 258 s with four, 2026-12-02, same tree). The files
 * below time themselves on the real clock, so they run after that, with
 * little beside them.
 */
const REAL_TIME = [
  // A 60x demo clock against real agents: its alerts come on demo time only
  // while the machine keeps up (a late millisecond is 60 demo ones: two demos
  // at once on a machine at load 17 read their probes' round trips as latency
  // alerts and missed the `for: 5m` congestion). Its speed-60 run sets this
  // phase's length.
  'test/demo.test.ts',
  // These two hold under two CPU hogs (demo-agent bounds rates in demo time;
  // outage-restart's bounds survive a slow restart), but they take the
  // phase's second worker while demo.test.ts runs on the first: moved to
  // side by side they would only lengthen that phase.
  'test/demo-agent.test.ts',
  // SLA warnings at 2 s and 10 s and a breach at 20 s of real time, across a kill -9.
  'test/outage-restart.test.ts',
  // The dead device's mail within two 5 s polls of the kill: light, and the
  // second worker has room for it beside demo.test.ts (24 + 4 + 30 s < 67 s).
  'test/device-death.test.ts',
];
/** Goodput over a tbf-shaped link is bounded by CPU at 400 Mbit/s: nothing runs beside it. */
const ALONE = ['test/throughput-probe.test.ts', 'test/throughput-iperf3.test.ts'];

const INCLUDE = ['src/**/*.test.ts', 'test/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'side-by-side', include: INCLUDE, exclude: [...REAL_TIME, ...ALONE], maxWorkers: 4, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'real-time', include: REAL_TIME, maxWorkers: 2, sequence: { groupOrder: 1 } },
      },
      {
        extends: true,
        test: { name: 'alone', include: ALONE, fileParallelism: false, sequence: { groupOrder: 2 } },
      },
    ],
  },
});
