// Preloaded into a kpid process (`KPID_NODE_ARGS="--import bench/alloc-probe.mjs"`
// with the soak bench): samples every allocation V8 makes, the young
// garbage included, from ALLOC_PROBE_FROM_MS (default 60 s, after start-up)
// for ALLOC_PROBE_MS (default 60 s), and writes the profile to
// ALLOC_PROBE_FILE (a .heapprofile, which bench/alloc-profile.mjs
// summarises). node's own --heap-prof keeps only what is still alive at
// exit, which leaves out the garbage the collector spends its time on.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';

const file = process.env.ALLOC_PROBE_FILE;
if (file) {
  const session = new Session();
  session.connect();
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
  setTimeout(async () => {
    await post('HeapProfiler.startSampling', {
      samplingInterval: Number(process.env.ALLOC_PROBE_INTERVAL ?? 16_384),
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    setTimeout(async () => {
      const { profile } = await post('HeapProfiler.stopSampling');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    }, Number(process.env.ALLOC_PROBE_MS ?? 60_000)).unref();
  }, Number(process.env.ALLOC_PROBE_FROM_MS ?? 60_000)).unref();
}
