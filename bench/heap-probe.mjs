// Preloaded into a kpid process by the soak benches (`node --import
// bench/heap-probe.mjs dist/cli.js run …`): every HEAP_PROBE_MS (default
// 10 s) writes process.memoryUsage() as one JSON line to HEAP_PROBE_FILE,
// so a bench can read the daemon's V8 heap without kpid exporting it.
//
// HEAP_PROBE_LOG=FILE also appends, once a minute, where the RSS goes: V8's
// heap spaces (resident), the process's mappings from /proc/self/smaps by
// kind (anonymous, [heap] = glibc's main arena, the node binary, shared
// libraries, native addons). The soak removes
// its own directory at the end; this file outlives it.
import { appendFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

const file = process.env.HEAP_PROBE_FILE;
if (file) {
  // Written aside and renamed, so a reader never sees a half-written file.
  setInterval(() => {
    writeFileSync(`${file}.tmp`, JSON.stringify({ at: Date.now(), ...process.memoryUsage() }));
    renameSync(`${file}.tmp`, file);
  }, Number(process.env.HEAP_PROBE_MS ?? 10_000)).unref();
}

const MiB = (kb) => Math.round(kb / 102.4) / 10;

/** Resident MiB of /proc/self/smaps by kind of mapping. */
function smapsByKind() {
  const kinds = {};
  let kind = 'anon';
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const path = head[1];
      kind = path === '' ? 'anon'
        : path.startsWith('[') ? path
        : path.endsWith('.node') ? `addon ${path.slice(path.lastIndexOf('/') + 1)}`
        : /\/node$/.test(path) ? 'node binary'
        : /\.so/.test(path) ? 'shared libs'
        : 'other files';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) kinds[kind] = (kinds[kind] ?? 0) + Number(rss[1]);
  }
  return Object.fromEntries(Object.entries(kinds).map(([k, v]) => [k, MiB(v)]));
}

const log = process.env.HEAP_PROBE_LOG;
if (log) {
  const t0 = Date.now();
  setInterval(() => {
    const m = process.memoryUsage();
    const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, MiB(s.physical_space_size / 1024)]));
    appendFileSync(log, `${JSON.stringify({
      s: Math.round((Date.now() - t0) / 1000),
      rss: MiB(m.rss / 1024), heapTotal: MiB(m.heapTotal / 1024), heapUsed: MiB(m.heapUsed / 1024),
      external: MiB(m.external / 1024), arrayBuffers: MiB(m.arrayBuffers / 1024),
      v8Resident: spaces, smaps: smapsByKind(),
    })}\n`);
  }, Number(process.env.HEAP_PROBE_LOG_MS ?? 60_000)).unref();
}
