import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// scripts/test-env.mjs is npm's `pretest`: what a newcomer's `npm test` sees
// before any test runs. A missing component is simulated by hiding its
// executable behind /dev/null in a mount namespace of this test's own, so
// nothing on the machine changes for anything else.
const SCRIPT = resolve(import.meta.dirname, '../scripts/test-env.mjs');

function runHidden(hidden: string[], user?: string) {
  const mounts = hidden.map((p) => `mount --bind /dev/null ${p}`).join(' && ');
  const run = user ? `runuser -u ${user} -- node ${SCRIPT}` : `node ${SCRIPT}`;
  return spawnSync('unshare', ['-m', 'sh', '-c', `${mounts ? `${mounts} && ` : ''}${run}`], {
    encoding: 'utf8',
    env: { ...process.env, HOME: '/tmp' },
  });
}

describe('npm test prepares its own environment', () => {
  it('is quiet and succeeds when every component is there', () => {
    const r = spawnSync('node', [SCRIPT], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  it('stops before any test as a non-root user, with one line naming what is missing and how to install it', () => {
    const r = runHidden(['/usr/sbin/snmpd', '/usr/bin/influxd'], 'nobody');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('snmpd, influxdb');
    expect(lines[0]).toContain('sudo apt-get install -y --no-install-recommends snmpd influxdb');
    expect(lines[0]).toContain('no test ran');
  });
});
