import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import snmp from 'net-snmp';
import { runSnmpd } from './snmpd-process.js';
import type { Snmpd } from './snmpd.js';

/** An snmpd restarted by `restartSnmpd`; stop it before the helper's own `stop` removes its directory. */
export interface RestartedSnmpd {
  stop(): Promise<void>;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Restarts the snmpd of `startSnmpd` as a device reboot restarts its agent:
 * the running one is stopped (found by its pid file) and a new one starts
 * with the same config and the same persistent directory. snmpd keeps
 * snmpEngineBoots there (RFC 3414 §2.2) and adds one at every start, so the
 * new engine reports one boot more; the engine ID stays the same. The served
 * counters go on from where they were (they are a function of wall time).
 */
export async function restartSnmpd(agent: Snmpd): Promise<RestartedSnmpd> {
  const pid = Number(readFileSync(join(agent.dir, 'pid'), 'utf8').trim());
  process.kill(pid, 'SIGTERM');
  for (let i = 0; alive(pid); i++) {
    if (i > 200) throw new Error(`snmpd ${pid} did not exit within 10 s of SIGTERM`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // As test/helpers/snmpd.ts runs it, plus the persistent file as a second config file: with -C
  // snmpd reads no file it was not given, and would start as a new engine (boots 1, a new engine
  // ID) instead of the same one rebooted.
  const snmpd = runSnmpd(agent.dir, [join(agent.dir, 'snmpd.conf'), join(agent.dir, 'persist', 'snmpd.conf')]);
  const { child } = snmpd;
  const stop = () => snmpd.stop(5_000);
  const session = snmp.createSession(agent.address, 'public', { port: agent.port, version: snmp.Version2c, timeout: 200, retries: 0 });
  session.on('error', () => {});
  try {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`restarted snmpd exited: ${snmpd.stderr().slice(-2000)}`);
      if (i >= 100) throw new Error(`restarted snmpd did not answer within 20 s: ${snmpd.stderr().slice(-2000)}`);
      const ok = await new Promise<boolean>((r) => session.get(['1.3.6.1.2.1.1.3.0'], (err) => r(!err)));
      if (ok) break;
    }
  } catch (err) {
    await stop();
    throw err;
  } finally {
    session.close();
  }
  return { stop };
}

/** sysUpTime.0 of the agent (TimeTicks, centiseconds), read with v2c. */
export async function agentUptime(agent: Snmpd): Promise<number> {
  const session = snmp.createSession(agent.address, 'public', { port: agent.port, version: snmp.Version2c, timeout: 1_000, retries: 2 });
  session.on('error', () => {});
  try {
    return await new Promise<number>((resolve, reject) =>
      session.get(['1.3.6.1.2.1.1.3.0'], (err, vbs) => (err ? reject(err) : resolve(Number(vbs![0]!.value)))));
  } finally {
    session.close();
  }
}

/** snmpEngineBoots.0 as the agent reports it over SNMPv3 (the first request discovers the engine). */
export async function engineBoots(agent: Snmpd, user: { name: string; authKey: string; privKey: string }): Promise<number> {
  const session = snmp.createV3Session(agent.address, {
    name: user.name, level: snmp.SecurityLevel.authPriv!,
    authProtocol: snmp.AuthProtocols.sha256, authKey: user.authKey, privProtocol: snmp.PrivProtocols.aes, privKey: user.privKey,
  }, { port: agent.port, version: snmp.Version3, timeout: 1_000, retries: 2 });
  session.on('error', () => {});
  try {
    return await new Promise<number>((resolve, reject) =>
      session.get(['1.3.6.1.6.3.10.2.1.2.0'], (err, vbs) => (err ? reject(err) : resolve(Number(vbs![0]!.value)))));
  } finally {
    session.close();
  }
}
