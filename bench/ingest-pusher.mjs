// The pushing client of bench/ingest.bench.mjs, in a worker thread: kpid runs
// in the bench's main thread, and a client sharing that thread would be timed
// as kpid's cost (about 15 % of its profile), a cost influxd, which serves
// from threads of its own, never pays. One client for both servers: the same
// lines, fetch with undici's keep-alive pool, one request at a time.
import { parentPort } from 'node:worker_threads';

parentPort.on('message', async ({ url, bodies, lines }) => {
  try {
    const t = performance.now();
    for (const body of bodies) {
      const res = await fetch(url, { method: 'POST', body });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${url}: ${res.status} ${text.slice(0, 300)}`);
    }
    parentPort.postMessage({ rate: lines / ((performance.now() - t) / 1000) });
  } catch (err) {
    parentPort.postMessage({ error: String(err?.stack ?? err) });
  }
});
