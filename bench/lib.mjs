// Small helpers shared by the benchmarks.
import { readFileSync } from 'node:fs';

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

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
