import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, requireBuild } from './helpers/kpid-process.js';

const run = promisify(execFile);

/**
 * An operator pipes kpid's log into a reader that stops early (`| head`,
 * `| grep -m1`, a pager quit). kpid must still exit: it once slept forever
 * at exit retrying the write of its last log line into the broken pipe,
 * deaf to SIGTERM.
 */
let dir: string;
beforeAll(() => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), 'kpid-log-pipe-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

describe('kpid with its log piped into a reader that goes away', () => {
  it('`kpid run -c bad.yaml | head -1` exits, every time', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'targets: [\n  bad');
    // The hang needed a log line still in flight when head had gone: it
    // came 7 times in 10. Six at once, each bounded by timeout(1).
    const line = `timeout -s KILL 20 ${q(process.execPath)} ${q(CLI)} run -c ${q(bad)} 2>/dev/null | head -1; echo "kpid:\${PIPESTATUS[0]}"`;
    const runs = await Promise.all(Array.from({ length: 6 }, () => run('/bin/bash', ['-c', line])));
    for (const { stdout } of runs) {
      const [first, status] = stdout.trim().split('\n');
      // The start-up line that names the heap: kpid had begun logging when head went away.
      expect(first).toContain('"heap":"default"');
      // 1 is "config rejected"; 137 is timeout's SIGKILL of a hung kpid.
      expect(status).toBe('kpid:1');
    }
  }, 60_000);

  it('a running daemon whose log reader has gone stops on SIGTERM with 0', async () => {
    const good = join(dir, 'good.yaml');
    writeFileSync(good, 'server: { listen: "127.0.0.1:0" }\nallow_empty_targets: true\ntargets: []\n');
    const kpid = spawn(process.execPath, [CLI, 'run', '-c', good], { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] });
    const exited = new Promise<number | null>((r) => kpid.once('exit', (code) => r(code)));
    try {
      // Read until the daemon says it runs, then close our end, as head does.
      await new Promise<void>((resolve, reject) => {
        let seen = '';
        kpid.stdout!.on('data', (d: Buffer) => {
          seen += d;
          if (seen.includes('kpid running')) resolve();
        });
        exited.then(() => reject(new Error(`kpid exited before it ran: ${seen}`)));
      });
      kpid.stdout!.destroy();
      kpid.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running after 15 s'), 15_000))]);
      expect(code).toBe(0);
    } finally {
      kpid.kill('SIGKILL');
    }
  }, 60_000);
});
