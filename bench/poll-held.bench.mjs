// What one SNMP poll of a 1,000-interface device holds while it is in
// flight, and allocates: a fake agent answers GETBULKs of the 19 IF-MIB
// columns a poll walks with fresh varbinds (as net-snmp decodes each
// datagram), one event-loop turn per answer. "Held" is the heap after a
// full GC just before the poll's last answer, less the heap after a full
// GC once it has ended: what a walk keeps across its awaits, which on a
// real agent outlives the young generation and is promoted (issue 15,
// docs/PERFORMANCE.md "Soak"). No network, no root.
//
//   node bench/poll-held.bench.mjs              # dist/
//   node bench/poll-held.bench.mjs /tmp/x/dist  # another build, for a before/after
import { Session } from 'node:inspector';
import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
const dist = resolve(process.argv[2] ?? resolve(import.meta.dirname, '../dist'));
const { pollDevice, emptyMemory } = await import(`${dist}/collectors/snmp/device-poll.js`);
const { snmpOptions } = await import(`${dist}/collectors/snmp/snmp-options.js`);
const { snmpTarget } = await import(`${dist}/collectors/snmp/snmp-config.js`);
const { IF_MIB, SYSTEM } = await import(`${dist}/collectors/snmp/oids.js`);
const { compareOidText } = await import(`${dist}/collectors/snmp/table-walker.js`);
const N = 1000;
const cols = Object.entries(IF_MIB);
const typeOf = (name) => name.startsWith('ifHC') ? 70 : /Descr|Name|Alias/.test(name) ? 4 : /Octets|Pkts|Discards|Errors/.test(name) ? 65 : /Status/.test(name) ? 2 : 66;
const all = [];
for (const [name, col] of cols) for (let i = 1; i <= N; i++) all.push({ oid: `${col}.${i}`, name, i });
all.sort((a, b) => compareOidText(a.oid, b.oid));
let polls = 0; let calls = 0; let probeAt = -1; let held = 0;
const make = (e) => {
  const t = typeOf(e.name);
  const v = t === 70 ? Buffer.from([1, 2, 3, 4, (polls * 7 + e.i) & 255]) : t === 4 ? Buffer.from(`eth${e.i}`) : t === 65 ? polls * 1000 + e.i : t === 2 ? 1 : 1000;
  return { oid: String(e.oid).slice(0), type: t, value: v }; // fresh objects, as net-snmp decodes them
};
const session = {
  version: '2c',
  async get(oids) { return oids.map((oid) => ({ oid, type: oid === SYSTEM.sysUpTime ? 67 : 4, value: oid === SYSTEM.sysUpTime ? 100 + polls * 1000 : Buffer.from('x') })); },
  async next(from, max) {
    await new Promise((r) => setImmediate(r));
    if (++calls === probeAt) { gc(); held = process.memoryUsage().heapUsed; }
    let lo = 0, hi = all.length; while (lo < hi) { const m = (lo + hi) >> 1; if (compareOidText(all[m].oid, from) <= 0) lo = m + 1; else hi = m; }
    const out = all.slice(lo, lo + max).map(make);
    return out.length ? out : [{ oid: from, type: 130, value: null }];
  },
  close() {},
};
const target = { name: 'd', site: 's', address: '127.0.0.1', labels: {}, interval: 10000, timeout: 9000, probes: [] };
const spec = snmpOptions(snmpTarget.parse({ community: 'public', modules: ['system', 'interfaces'], max_repetitions: 25 }));
const clock = { now: () => Date.now() };
let memory = emptyMemory();
const poll = async () => { polls++; const r = await pollDevice(session, target, spec, memory, clock, new AbortController().signal); memory = r.memory; return r; };
await poll(); const callsPerPoll = calls; calls = 0;
for (let k = 0; k < 3; k++) await poll();
// held: GC just before the last answer of a poll, minus GC after the poll (memory kept between polls)
const helds = [];
for (let k = 0; k < 5; k++) {
  calls = 0; probeAt = callsPerPoll - 1; const r = await poll(); probeAt = -1;
  gc(); const after = process.memoryUsage().heapUsed; helds.push((held - after) / 2 ** 20);
}
// allocated per poll: sampling profiler keeping collected objects
const s = new Session(); s.connect(); const post = (m, p) => new Promise((res, rej) => s.post(m, p, (e, r) => (e ? rej(e) : res(r))));
await post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
const P = 10; for (let k = 0; k < P; k++) await poll();
const { profile } = await post('HeapProfiler.stopSampling');
const total = profile.samples.reduce((n, x) => n + x.size, 0);
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
console.log(`${dist}: ${callsPerPoll} GETBULKs per poll; held in flight (median of 5) ${med(helds).toFixed(2)} MiB; allocated ${(total / P / 2 ** 20).toFixed(2)} MiB per poll (sampled, 10 polls; the fake agent's own varbinds included)`);
