// The pushing client of bench/ingest.bench.mjs, in a worker thread: kpid runs
// in the bench's main thread, and a client sharing that thread would be timed
// as kpid's cost (about 15 % of its profile), a cost influxd, which serves
// from threads of its own, never pays. One client for both servers: the same
// lines, fetch with undici's keep-alive pool, one request at a time. The
// bodies are built here too, before the clock starts, so that kpid's heap
// never holds them.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const { batch: BATCH, batches: BATCHES, t0: T0 } = workerData;

/** Batch `b` of round `round`: 5,000 `kpi` lines of 500 series, stamps in ms, distinct per round. */
function batch(round, b) {
  const t0 = T0 + (round * BATCHES + b) * BATCH;
  let out = '';
  for (let i = 0; i < BATCH; i++) {
    out += `kpi,kpi=network_coverage,scope=cell-${i % 500} value=${(0.95 + (i % 50) / 1000).toFixed(3)} ${t0 + i}\n`;
  }
  return out;
}

/** CPU seconds of this thread alone (proc(5): utime and stime of /proc/thread-self/stat), so the bench can take the client out of kpid's process CPU. */
function threadCpu() {
  const stat = readFileSync('/proc/thread-self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

parentPort.on('message', async ({ url, round }) => {
  try {
    const bodies = Array.from({ length: BATCHES }, (_, b) => batch(round, b));
    const cpu = threadCpu();
    const t = performance.now();
    for (const body of bodies) {
      const res = await fetch(url, { method: 'POST', body });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${url}: ${res.status} ${text.slice(0, 300)}`);
    }
    const seconds = (performance.now() - t) / 1000;
    parentPort.postMessage({ rate: (BATCH * BATCHES) / seconds, clientCpu: threadCpu() - cpu });
  } catch (err) {
    parentPort.postMessage({ error: String(err?.stack ?? err) });
  }
});
