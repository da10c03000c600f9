import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { SnmpCollector } from '../dist/collectors/snmp/snmp-collector.js';
import { snmpTarget } from '../dist/config/sections/snmp.js';
import { silentLogger } from '../dist/core/logger.js';
import { KpiRollup } from '../dist/store/kpi-rollup.js';
import { ifbNamespace, startSnmpd } from './ifb-agent.mjs';
const POLLS = Number(process.env.POLLS ?? 20);
let gcMs = 0;
new PerformanceObserver((l) => { for (const e of l.getEntries()) gcMs += e.duration; }).observe({ entryTypes: ['gc'] });
const dir = mkdtempSync(join(tmpdir(), 'kps-prof-'));
const net = ifbNamespace({ ns: `kps-prof${process.pid % 100}`, prefix: `198.18.${110 + (process.pid % 20)}`, ifaces: 1000, up: true });
const snmpd = await startSnmpd(net, dir);
try {
  const collector = new SnmpCollector({ log: silentLogger() });
  const rollup = new KpiRollup(join(dir, 'r.db'));
  const spec = snmpTarget.parse({ community: 'public', timeout: '10s', retries: 0, max_repetitions: 25, modules: ['system', 'interfaces'] });
  const target = { name: 'bench', site: 'bench', address: net.agents[0], labels: {}, interval: 30_000, timeout: 30_000, probes: [] };
  let cpu = 0, rollCpu = 0, n = 0;
  for (let i = 0; i < POLLS + 2; i++) {
    const u0 = process.cpuUsage(); const g0 = gcMs;
    const samples = await collector.collect(target, spec, new AbortController().signal);
    const u1 = process.cpuUsage(u0);
    const r0 = process.cpuUsage();
    if (!process.env.NOROLL) rollup.write(samples);
    const r1 = process.cpuUsage(r0);
    if (i >= 2) { cpu += (u1.user + u1.system) / 1e3; rollCpu += (r1.user + r1.system) / 1e3; n++; }
  }
  const m = process.memoryUsage();
  console.log(`per poll of 1,002 ifs: collect CPU ${(cpu / n).toFixed(1)} ms, rollup CPU ${(rollCpu / n).toFixed(1)} ms, GC total ${gcMs.toFixed(0)} ms, rss ${(m.rss/2**20).toFixed(0)} MiB heapUsed ${(m.heapUsed/2**20).toFixed(0)}`);
  rollup.close(); await collector.close();
} finally { await snmpd.stop(); net.remove(); rmSync(dir, { recursive: true, force: true, maxRetries: 5 }); }
