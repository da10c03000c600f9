// Summarises a V8 sampling heap profile (bench/alloc-probe.mjs, or
// node --heap-prof) by the bytes allocated where: self bytes per function
// (the allocation site) and per module, largest first.
//
//   node bench/alloc-profile.mjs FILE.heapprofile [TOP]
import { readFileSync } from 'node:fs';
import { moduleOf } from './lib.mjs';

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: node bench/alloc-profile.mjs FILE.heapprofile [TOP]');
const TOP = Number(topArg ?? 30);
const { head } = JSON.parse(readFileSync(file, 'utf8'));


const bySite = new Map();
const byModule = new Map();
let total = 0;
/** Each node's self bytes, charged to it and to the nearest caller in kpid's own code. */
const walk = (node, ownCaller) => {
  const cf = node.callFrame;
  const site = `${cf.functionName || '(anonymous)'} ${moduleOf(cf.url)}:${cf.lineNumber + 1}`;
  const own = /\/dist\//.test(cf.url) ? site : ownCaller;
  const self = node.selfSize ?? 0;
  total += self;
  bySite.set(site, (bySite.get(site) ?? 0) + self);
  const mod = `${moduleOf(cf.url)} (from ${own ?? '?'})`;
  byModule.set(mod, (byModule.get(mod) ?? 0) + self);
  for (const c of node.children ?? []) walk(c, own);
};
walk(head, undefined);

const mib = (b) => (b / 2 ** 20).toFixed(1);
const top = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, TOP);
console.log(`sampled allocations: ${mib(total)} MiB`);
console.log('\nby allocation site (self):');
for (const [k, v] of top(bySite)) console.log(`${mib(v).padStart(8)} MiB ${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`);
console.log('\nby module, and the kpid function that called into it:');
for (const [k, v] of top(byModule)) console.log(`${mib(v).padStart(8)} MiB ${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`);
