import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { batchOf, linesOf } from '../src/store/batch.js';
import { DiskSpool, type SpoolDropReason } from '../src/store/spool.js';

/**
 * Issue 14 §10: the spool on a real filesystem that fails. Each test mounts
 * a small tmpfs of its own (the tests run as root): remounted read-only, it
 * fails every write with EROFS; filled up, a write stops half-way with ENOSPC.
 */
describe('the InfluxDB spool when its disk fails', () => {
  const mounts: string[] = [];
  const tmpfs = (size: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'kpid-spool-fault-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
    mounts.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of mounts.splice(0)) {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
  const recorder = () => {
    const drops: Array<[number, SpoolDropReason]> = [];
    return { drops, onDrop: (points: number, reason: SpoolDropReason) => drops.push([points, reason]) };
  };
  const lines = (n: number, width = 40) => Array.from({ length: n }, (_, i) => `m,i=${i} v=${'9'.repeat(width)}`);
  const batch = (n: number) => batchOf(lines(n));

  it('on a read-only spool each batch that could not be written is dropped and counted once, also when it was being read for sending', async () => {
    const dir = tmpfs('1m');
    const { drops, onDrop } = recorder();
    const spool = await DiskSpool.open(dir, 1024 ** 2, onDrop);
    execFileSync('mount', ['-o', 'remount,ro', dir]);
    spool.pushBack(batch(3));
    spool.pushBack(batch(2));
    // The sender asks for the oldest batch while its write is still queued.
    expect(await spool.peek()).toBeUndefined();
    await spool.idle();
    expect(drops).toEqual([[3, 'spool_error'], [2, 'spool_error']]);
    expect({ points: spool.points, bytes: spool.bytes, batches: spool.batches }).toEqual({ points: 0, bytes: 0, batches: 0 });
  });

  it('a write cut short by a full disk leaves no partial .tmp file behind, so the space is free for the next batch', async () => {
    const dir = tmpfs('64k');
    const { drops, onDrop } = recorder();
    const spool = await DiskSpool.open(dir, 1024 ** 2, onDrop);
    spool.pushBack(batch(2_000)); // about 100 KB: ENOSPC after 64 KiB
    await spool.idle();
    expect(drops).toEqual([[2_000, 'spool_error']]);
    expect(readdirSync(dir)).toEqual([]);
    spool.pushBack(batch(100)); // about 5 KB: fits once the partial file is gone
    await spool.idle();
    expect(drops).toHaveLength(1);
    expect(readdirSync(dir)).toEqual([expect.stringMatching(/^\d{16}-100\.lp$/)]);
    const spooled = await spool.peek();
    expect(spooled && linesOf(spooled.batch)).toEqual(lines(100));
  });
});
