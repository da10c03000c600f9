// Preloaded into a kpid process by the soak benches (`node --import
// bench/heap-probe.mjs dist/cli.js run …`): every HEAP_PROBE_MS (default
// 10 s) writes process.memoryUsage() as one JSON line to HEAP_PROBE_FILE,
// so a bench can read the daemon's V8 heap without kpid exporting it.
import { renameSync, writeFileSync } from 'node:fs';

const file = process.env.HEAP_PROBE_FILE;
if (file) {
  // Written aside and renamed, so a reader never sees a half-written file.
  setInterval(() => {
    writeFileSync(`${file}.tmp`, JSON.stringify({ at: Date.now(), ...process.memoryUsage() }));
    renameSync(`${file}.tmp`, file);
  }, Number(process.env.HEAP_PROBE_MS ?? 10_000)).unref();
}
