// Small helpers shared by the benchmarks.
import { readFileSync } from 'node:fs';

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** A profiled function's module (a V8 profile's url) as an operator would look for it: kpid's own file under dist/, a dependency's package name, or node's internals. */
export function moduleOf(url) {
  if (!url) return '(native)';
  if (url.startsWith('node:')) return 'node:internal';
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dep) return dep[1];
  const own = /\/dist\/(.+)$/.exec(url);
  return own ? own[1] : url.replace(/^file:\/\//, '');
}

const TICK = 100; // USER_HZ on Linux

/** CPU seconds of this process and of its reaped children, from /proc/self/stat. */
export function cpuSeconds() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14-17 of proc(5): utime stime cutime cstime, counted from field 3.
  const [utime, stime, cutime, cstime] = [f[11], f[12], f[13], f[14]].map(Number);
  return { self: (utime + stime) / TICK, children: (cutime + cstime) / TICK };
}

export const fmt = (x, digits = 3) => Number(x).toPrecision(digits);

/** Interface i's sample at time t: the 11 fields of a polled interface, values that move with t. */
export function interfaceSample(i, t) {
  const x = ((i * 7919 + t * 104729) % 1000) / 1000;
  return {
    measurement: 'interface', time: t,
    tags: { target: `r${Math.floor(i / 10)}`, site: `s${i % 100}`, interface: `ge-0/0/${i % 10}` },
    fields: {
      oper_up: 1, admin_up: 1, speed_bps: 1e9, in_bytes: 1_000 + i, out_bytes: 500 + i,
      in_utilization: x, out_utilization: x / 2, in_errors_ratio: x / 1e3, out_errors_ratio: 0, in_discards_ratio: 0, out_discards_ratio: x / 2e3,
    },
  };
}
