// Summarises a V8 .cpuprofile (node --cpu-prof) by self and inclusive time,
// per function and per module: where the whole daemon's CPU goes.
//
//   node bench/cpu-profile.mjs /tmp/p/CPU.*.cpuprofile [TOP]
//
// Self time: the samples a function was on top of the stack. Inclusive: the
// samples it was anywhere on the stack, counted once per sample even when it
// recurses. A module is the file a function lives in: kpid's own under dist/
// by path, a dependency by its package name, node's internals as `node:`.
import { readFileSync } from 'node:fs';
import { moduleOf } from './lib.mjs';

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: node bench/cpu-profile.mjs FILE.cpuprofile [TOP]');
const TOP = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const fnOf = (n) => {
  const f = n.callFrame;
  return `${f.functionName || '(anonymous)'} ${moduleOf(f.url)}:${f.lineNumber + 1}`;
};

const self = new Map();
const inclusive = new Map();
const moduleSelf = new Map();
const moduleInclusive = new Map();
const add = (m, k, dt) => m.set(k, (m.get(k) ?? 0) + dt);
let total = 0;
const { samples, timeDeltas } = profile;
for (let i = 0; i < samples.length; i++) {
  const dt = timeDeltas[i + 1] ?? 0; // a sample's time is the delta to the next one
  total += dt;
  const top = byId.get(samples[i]);
  add(self, fnOf(top), dt);
  add(moduleSelf, moduleOf(top.callFrame.url), dt);
  const fns = new Set();
  const mods = new Set();
  for (let id = samples[i]; id !== undefined; id = parent.get(id)) {
    const n = byId.get(id);
    if (n.callFrame.functionName === '(root)') continue;
    fns.add(fnOf(n));
    mods.add(moduleOf(n.callFrame.url));
  }
  for (const f of fns) add(inclusive, f, dt);
  for (const m of mods) add(moduleInclusive, m, dt);
}

const idle = [...self].filter(([k]) => k.startsWith('(idle)')).reduce((s, [, v]) => s + v, 0);
const busy = total - idle;
console.log(`${file}: ${(total / 1e6).toFixed(1)} s profiled, ${(busy / 1e6).toFixed(1)} s busy (${((100 * busy) / total).toFixed(1)} %); shares below are of busy time`);
function table(title, m) {
  console.log(`\n${title}`);
  for (const [k, v] of [...m].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
    console.log(`${((100 * v) / busy).toFixed(1).padStart(6)} %  ${(v / 1e6).toFixed(2).padStart(7)} s  ${k}`);
  }
}
table('self time by module', moduleSelf);
table('inclusive time by module', moduleInclusive);
table('self time by function', self);
table('inclusive time by function', inclusive);
