import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian's `faketime` package (scripts/test-env.mjs) puts its preload library. */
const LIBRARIES = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/faketime/libfaketime.so.1'];

/**
 * A wall clock a test can step under a running process (libfaketime,
 * docs/time.md): the process starts with `env`; `jump` moves its wall clock
 * by the given offset from the real one, within about a second. Its
 * monotonic clock is left real, as NTP or `date -s` would leave it.
 */
export class FakeWallClock {
  private readonly dir = mkdtempSync(join(tmpdir(), 'kpid-faketime-'));
  private readonly file = join(this.dir, 'offset');
  readonly env: Record<string, string>;

  constructor() {
    const lib = LIBRARIES.find((l) => existsSync(l));
    if (!lib) throw new Error(`libfaketime not found (${LIBRARIES.join(', ')}): install the Debian package faketime`);
    writeFileSync(this.file, '+0\n');
    this.env = {
      LD_PRELOAD: lib,
      FAKETIME_TIMESTAMP_FILE: this.file,
      // Re-read the offset file at most once a second, so a step shows up in the running process.
      FAKETIME_CACHE_DURATION: '1',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    };
  }

  /** Sets the process's wall clock to real time plus `seconds` (negative: behind). */
  jump(seconds: number): void {
    writeFileSync(this.file, `${seconds >= 0 ? '+' : ''}${seconds}\n`);
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
