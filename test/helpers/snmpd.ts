import { freeUdpPort } from '../../src/demo/free-ports.js';
import { chmodSync, copyFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import snmp from 'net-snmp';
import { runSnmpd } from './snmpd-process.js';
import { systemClock, type Clock } from '../../src/core/clock.js';

/**
 * One interface served by the test agent. Counters move at known rates
 * from the moment the config is written: value = base + rate × elapsed.
 */
export interface FakeInterface {
  index: number;
  name: string;
  descr?: string;
  alias?: string;
  /** ifSpeed, bit/s. */
  ifSpeed?: number;
  /** ifHighSpeed, Mbit/s. */
  ifHighSpeed?: number;
  admin?: 1 | 2;
  oper?: 1 | 2;
  /** Octets per second, in and out. */
  inBytesPerSec?: number;
  outBytesPerSec?: number;
  inPktsPerSec?: number;
  outPktsPerSec?: number;
  inErrorsPerSec?: number;
  outErrorsPerSec?: number;
  /** Starting value of every counter (the 32-bit ones taken mod 2^32). */
  base?: number;
}

/** A scalar counter under an enterprise OID, for `custom` polling. */
export interface FakeCounter {
  oid: string;
  type: 'counter' | 'counter64';
  perSec: number;
  base?: number;
}

/**
 * The agent's time, stopped: counters read as of `now()` until `advance`.
 * Given to the collector as its clock, the collector divides by exactly the
 * time the agent's counters moved through, however long snmpd took to
 * assemble each reply. Timers run on the wall clock.
 */
export interface AgentClock extends Clock {
  advance(ms: number): void;
}

export interface Snmpd {
  readonly address: string;
  readonly port: number;
  readonly dir: string;
  /** Rewrites the served interfaces and counters; rates restart from now. */
  serve(interfaces: FakeInterface[], counters?: FakeCounter[]): void;
  /** Stops the agent's counter clock at the present instant (until the agent stops). */
  pinClock(): AgentClock;
  stop(): Promise<void>;
}

export const V3_USER = { name: 'authPrivUser', authKey: 'authpass123', privKey: 'privpass123' } as const;

export { freeUdpPort } from '../../src/demo/free-ports.js';

const PASS_SCRIPT = new URL('./snmpd-ifmib.pl', import.meta.url).pathname;

/**
 * Debian's snmpd, unprivileged on a free loopback port with its own config
 * and persistent directory. IF-MIB ifTable/ifXTable and the enterprise
 * subtree 1.3.6.1.4.1.99999 come from a `pass_persist` script (priority 1, ahead
 * of snmpd's own) whose counters move at known rates. Serves v2c
 * (community `public`) and v3 authPriv SHA-256/AES (V3_USER).
 */
export async function startSnmpd(opts: { interfaces?: FakeInterface[]; counters?: FakeCounter[] } = {}): Promise<Snmpd> {
  const dir = mkdtempSync(join(tmpdir(), 'kpid-snmpd-'));
  const address = '127.0.0.1';
  const port = await freeUdpPort(address);
  const script = join(dir, 'ifmib.pl');
  copyFileSync(PASS_SCRIPT, script);
  chmodSync(script, 0o755);
  writeFileSync(join(dir, 'snmpd.conf'), [
    `agentAddress udp:${address}:${port}`,
    `rocommunity public ${address}`,
    `createUser ${V3_USER.name} SHA-256 "${V3_USER.authKey}" AES "${V3_USER.privKey}"`,
    `rouser ${V3_USER.name} priv`,
    `pass_persist -p 1 .1.3.6.1.2.1.2.2 ${script}`,
    `pass_persist -p 1 .1.3.6.1.2.1.31.1.1 ${script}`,
    `pass_persist -p 1 .1.3.6.1.4.1.99999 ${script}`,
    '',
  ].join('\n'));
  const serve = (interfaces: FakeInterface[], counters: FakeCounter[] = []) => {
    const t0 = (Date.now() / 1000).toFixed(3);
    const lines = interfaces.map((i) => [
      i.index, i.name, i.descr ?? i.name, i.alias ?? '', i.ifSpeed ?? 1_000_000_000, i.ifHighSpeed ?? 1000,
      i.admin ?? 1, i.oper ?? 1, i.inBytesPerSec ?? 0, i.outBytesPerSec ?? 0, i.inPktsPerSec ?? 0, i.outPktsPerSec ?? 0,
      i.inErrorsPerSec ?? 0, i.outErrorsPerSec ?? 0, i.base ?? 0,
    ].join('\t'));
    for (const c of counters) lines.push(['C', c.oid, c.type, c.perSec, c.base ?? 0].join('\t'));
    writeAtomically(join(dir, 'ifmib.conf'), [t0, ...lines, ''].join('\n'));
  };
  let pinnedAt = 0;
  const pinClock = (): AgentClock => {
    // A second clock carries on from where the first left the counters: they never go back.
    let now = Math.max(Date.now(), pinnedAt);
    const pin = () => writeAtomically(join(dir, 'agent-time'), (now / 1000).toFixed(3));
    pinnedAt = now;
    pin();
    return {
      now: () => now,
      // The pinned agent clock never jumps: its monotonic reading is its wall one.
      monotonic: () => now,
      advance: (ms) => {
        now += ms;
        pinnedAt = now;
        pin();
      },
      setTimeout: systemClock.setTimeout,
      clearTimeout: systemClock.clearTimeout,
    };
  };
  serve(opts.interfaces ?? [], opts.counters);
  const snmpd = runSnmpd(dir, [join(dir, 'snmpd.conf')]);
  const { child } = snmpd;
  const stop = async () => {
    await snmpd.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForAgent(address, port, () => child.exitCode !== null);
  } catch (err) {
    await stop();
    throw new Error(`snmpd did not start: ${(err as Error).message}\n${snmpd.stderr().slice(-2000)}`);
  }
  return { address, port, dir, serve, pinClock, stop };
}

/** The helper may read a file at any moment: it must see the old content or the new, never half. */
function writeAtomically(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

async function waitForAgent(address: string, port: number, exited: () => boolean): Promise<void> {
  const session = snmp.createSession(address, 'public', { port, version: snmp.Version2c, timeout: 200, retries: 0 });
  session.on('error', () => {});
  try {
    for (let i = 0; i < 50; i++) {
      if (exited()) throw new Error('snmpd exited');
      const ok = await new Promise<boolean>((r) => session.get(['1.3.6.1.2.1.1.3.0'], (err) => r(!err)));
      if (ok) return;
    }
    throw new Error('no answer within 10 s');
  } finally {
    session.close();
  }
}
