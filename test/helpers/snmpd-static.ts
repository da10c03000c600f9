import { createSocket } from 'node:dgram';
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import snmp from 'net-snmp';
import { runSnmpd } from './snmpd-process.js';

/** One OID the agent serves: `type` is a Net-SNMP pass type (string, integer, counter, counter64, gauge). */
export interface StaticOid {
  readonly oid: string;
  readonly type: 'string' | 'integer' | 'counter' | 'counter64' | 'gauge';
  readonly value: string | number;
}

/** Debian's snmpd serving fixed values under 1.3.6.1.4.1.99999 through a `pass` script. */
export interface StaticSnmpd {
  /** The address a client uses: 127.0.0.1 or ::1. */
  readonly address: string;
  readonly port: number;
  /**
   * Replaces the served values. snmpd caches a pass answer for about a
   * second, so a poll that must see the new values waits past that.
   */
  serve(oids: readonly StaticOid[]): void;
  stop(): Promise<void>;
}

const PASS_SCRIPT = new URL('./snmpd-static.pl', import.meta.url).pathname;

/** A UDP port free on `address` right now (IPv4 or IPv6). */
export async function freeUdpPortOn(address: string): Promise<number> {
  const s = createSocket(address.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(0, address, () => resolve());
  });
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * Starts snmpd on `address` (127.0.0.1, or ::1 with `agentAddress udp6:[::1]:PORT`),
 * community `public`, no system config, its own persistent directory.
 */
export async function startStaticSnmpd(address: '127.0.0.1' | '::1', oids: readonly StaticOid[]): Promise<StaticSnmpd> {
  const dir = mkdtempSync(join(tmpdir(), 'kpid-snmpd-static-'));
  const v6 = address.includes(':');
  const port = await freeUdpPortOn(address);
  const script = join(dir, 'static.pl');
  copyFileSync(PASS_SCRIPT, script);
  chmodSync(script, 0o755);
  writeFileSync(join(dir, 'snmpd.conf'), [
    v6 ? `agentAddress udp6:[${address}]:${port}` : `agentAddress udp:${address}:${port}`,
    v6 ? `rocommunity6 public ${address}` : `rocommunity public ${address}`,
    `pass .1.3.6.1.4.1.99999 ${script}`,
    '',
  ].join('\n'));
  const serve = (list: readonly StaticOid[]) =>
    writeFileSync(join(dir, 'static.tsv'), list.map((o) => `.${o.oid.replace(/^\./, '')}\t${o.type}\t${o.value}\n`).join(''));
  serve(oids);
  const snmpd = runSnmpd(dir, [join(dir, 'snmpd.conf')]);
  const { child } = snmpd;
  const stop = async () => {
    await snmpd.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const session = snmp.createSession(address, 'public', {
    port, version: snmp.Version2c, timeout: 200, retries: 0, transport: v6 ? 'udp6' : 'udp4',
  });
  session.on('error', () => {});
  try {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null || i >= 50) throw new Error(`snmpd did not answer on ${address} port ${port}: ${snmpd.stderr().slice(-2000)}`);
      const ok = await new Promise<boolean>((r) => session.get(['1.3.6.1.2.1.1.3.0'], (err) => r(!err)));
      if (ok) break;
    }
  } catch (err) {
    await stop();
    throw err;
  } finally {
    session.close();
  }
  return { address, port, serve, stop };
}
