// An SNMP agent with many interfaces, for the SNMP benches: Debian snmpd in a
// network namespace of the bench's own holding `ifb` links (the dummy link
// type is not in this kernel), reached over a veth pair in 198.19.192.0/18 (the tests keep the rest of 198.18.0.0/15);
// and prometheus-snmp-exporter configured to walk exactly kpid's IF-MIB
// columns, the anchor. Needs root.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { interfaceColumns } from '../dist/collectors/snmp/interface-table.js';
import { IF_MIB } from '../dist/collectors/snmp/oids.js';

export const COLUMNS = interfaceColumns('hc').map((c) => IF_MIB[c]);
const TICK = 100; // USER_HZ

const sh = (cmd, args, input) => execFileSync(cmd, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
const quiet = (cmd, args) => { try { sh(cmd, args); } catch { /* already gone */ } };

/** CPU seconds (user + system) of process `pid` so far. */
export function procCpu(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICK;
}
/** Resident set size of process `pid`, in KiB. */
export const procRssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
export const freePort = () => new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

/**
 * A namespace `ns` with `ifaces` ifb links and `addresses` agent addresses
 * `${prefix}.2`, `${prefix}.3`, … (one agent answering as several devices),
 * this side being `${prefix}.1`. `up` sets the ifb links administratively up.
 */
export function ifbNamespace({ ns, prefix, ifaces, addresses = 1, up = false }) {
  const hostLink = `${ns.slice(0, 12)}h`;
  const nsLink = `${ns.slice(0, 12)}n`;
  const remove = () => { quiet('ip', ['netns', 'del', ns]); quiet('ip', ['link', 'del', hostLink]); };
  remove();
  sh('ip', ['netns', 'add', ns]);
  sh('ip', ['link', 'add', hostLink, 'type', 'veth', 'peer', 'name', nsLink]);
  sh('ip', ['link', 'set', nsLink, 'netns', ns]);
  sh('ip', ['addr', 'add', `${prefix}.1/24`, 'dev', hostLink]);
  sh('ip', ['link', 'set', hostLink, 'up']);
  const agents = Array.from({ length: addresses }, (_, i) => `${prefix}.${i + 2}`);
  for (const a of agents) sh('ip', ['-n', ns, 'addr', 'add', `${a}/24`, 'dev', nsLink]);
  sh('ip', ['-n', ns, 'link', 'set', nsLink, 'up']);
  sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  const batch = Array.from({ length: ifaces }, (_, i) => `link add kps${i} type ifb${up ? `\nlink set kps${i} up` : ''}`).join('\n') + '\n';
  sh('ip', ['-n', ns, '-batch', '-'], batch);
  return { ns, agents, remove };
}

/** snmpd in `net` answering v2c `public` on every agent address, port 161. */
export async function startSnmpd(net, dir) {
  const conf = join(dir, 'snmpd.conf');
  writeFileSync(conf, `${net.agents.map((a) => `agentAddress udp:${a}:161`).join('\n')}\nrocommunity public ${net.agents[0].replace(/\.\d+$/, '.0/24')}\n`);
  // At nice -10: the agent stands for a device with its own CPU. On the shared,
  // loaded 2-core machine (load 20) snmpd at nice 0 fell behind the walks,
  // its socket queues filled with requests already timed out, and it never
  // caught up: every poller then saw the device dead.
  const child = spawn('ip', ['netns', 'exec', net.ns, 'nice', '-n', '-10', 'snmpd', '-f', '-Lo', '-C', '-c', conf, '-p', join(dir, 'snmpd.pid')], {
    env: { ...process.env, SNMP_PERSISTENT_DIR: join(dir, 'persist'), MIBS: '' }, stdio: 'ignore',
  });
  for (let i = 0; i < 100; i++) {
    try {
      sh('snmpget', ['-v2c', '-c', 'public', '-t', '0.2', '-r', '0', net.agents[0], '1.3.6.1.2.1.1.3.0']);
      const pid = Number(readFileSync(join(dir, 'snmpd.pid'), 'utf8'));
      const exited = new Promise((r) => child.once('exit', r));
      /** Resolves once snmpd has exited (it writes its persistent state on the way out). */
      const stop = async () => {
        child.kill('SIGTERM');
        quiet('kill', [String(pid)]);
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      };
      return { child, pid, stop };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('snmpd did not answer');
}

/** snmp.yml for snmp_exporter 0.21: one module `kps` walking exactly kpid's columns, numeric OIDs (no MIBs installed). */
function exporterConfig(maxRepetitions, timeout) {
  const text = new Set(['ifDescr', 'ifName', 'ifAlias']);
  const counters = new Set(Object.keys(IF_MIB).filter((k) => /Octets|Pkts|Errors|Discards/.test(k)));
  const metrics = interfaceColumns('hc').map((name) => ({
    name, oid: IF_MIB[name],
    type: text.has(name) ? 'DisplayString' : counters.has(name) ? 'counter' : 'gauge',
  }));
  const lines = [
    'kps:', '  version: 2', '  auth:', '    community: public', `  max_repetitions: ${maxRepetitions}`, '  retries: 0', `  timeout: ${timeout}`,
    '  walk:', ...COLUMNS.map((c) => `  - ${c}`), '  metrics:',
  ];
  for (const m of metrics) {
    lines.push(`  - name: ${m.name}`, `    oid: ${m.oid}`, `    type: ${m.type}`, '    indexes:', '    - labelname: ifIndex', '      type: gauge');
  }
  return lines.join('\n') + '\n';
}

/** prometheus-snmp-exporter on a free loopback port; `scrape(agent)` walks module `kps` on it. */
export async function startExporter(dir, { maxRepetitions, timeout = '10s' }) {
  writeFileSync(join(dir, 'snmp.yml'), exporterConfig(maxRepetitions, timeout));
  const port = await freePort();
  const child = spawn('prometheus-snmp-exporter', [`--config.file=${join(dir, 'snmp.yml')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/metrics`);
      return {
        child, port,
        scrape: async (agent) => (await fetch(`http://127.0.0.1:${port}/snmp?target=${agent}&module=kps`)).text(),
      };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('snmp_exporter did not start');
}
