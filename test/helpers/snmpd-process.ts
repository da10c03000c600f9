import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface SnmpdProcess {
  readonly child: ChildProcess;
  /** What snmpd wrote to stderr so far (its reason when it will not start). */
  stderr(): string;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Debian's snmpd in the foreground on the config files given, with its pid
 * file and its own persistent directory in `dir` (engine boots and USM keys
 * never touch /var/lib/snmp) and no MIBs (none are installed: numeric OIDs).
 */
export function runSnmpd(dir: string, configFiles: readonly string[]): SnmpdProcess {
  const child = spawn('snmpd', ['-f', '-Lo', '-C', '-c', configFiles.join(','), '-p', join(dir, 'pid')], {
    env: { ...process.env, SNMP_PERSISTENT_DIR: join(dir, 'persist'), MIBS: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  return {
    child,
    stderr: () => stderr,
    async stop(graceMs = 2_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
