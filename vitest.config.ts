import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

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

/**
 * The side-by-side files that wait longest on real components, longest
 * first (seconds on a quiet fresh machine, 2026-12-02). A fresh clone has no
 * vitest cache, so vitest would start the largest files first: the 54 s
 * idle-ports file then started at 126 s and the phase ended at 190 s, where
 * its files sum to 4 x 147 s. Started first, the short files fill the gaps
 * at the end instead. A file missing here is only started later.
 */
const LONGEST_FIRST = [
  'test/noise-idle-ports.test.ts', // 54
  'test/noc-page-browser.test.ts', // 46
  'test/cluster-sla.test.ts', // 39
  'test/cluster-polling.test.ts', // 34
  'test/clock-jump.test.ts', // 33
  'test/monitored-links.test.ts', // 24
  'test/store-daemon.test.ts', // 19
  'test/cluster-redis-restart.test.ts', // 19
  'test/report-pipe.test.ts', // 18
  'test/cluster-failover-sla.test.ts', // 18
  'test/grafana-queries.test.ts', // 18
  'test/series-lifetime.test.ts', // 17
  'test/daemon.test.ts', // 16
  'test/ack-link-browser.test.ts', // 16
  'test/hardening-config.test.ts', // 13
  'test/notify-bullmq.test.ts', // 13
  'test/report-cli.test.ts', // 13
  'test/ack-links.test.ts', // 13
  'test/ack-escalation.test.ts', // 13
  'test/storm-guard-smtp.test.ts', // 10
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification) => {
      const at = LONGEST_FIRST.indexOf(relative(file.project.config.root, file.moduleId));
      return at < 0 ? LONGEST_FIRST.length : at;
    };
    // vitest's order of projects stays; within each, listed files go first and
    // the rest keep vitest's order (the sort is stable).
    const projects = [...new Set(sorted.map((file) => file.project))];
    return projects.flatMap((project) => sorted.filter((file) => file.project === project).sort((a, b) => rank(a) - rank(b)));
  }
}

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    sequence: { sequencer: LongestFirst },
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
