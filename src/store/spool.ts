import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../core/errors.js';
import type { Batch } from './batch.js';

/** Why points left the spool without reaching InfluxDB. */
export type SpoolDropReason = 'spool_full' | 'spool_error';

interface Entry {
  readonly seq: number;
  readonly bytes: number;
  readonly points: number;
  /** Being sent now: the bound drops the next oldest batch instead. */
  inFlight: boolean;
}

export interface SpooledBatch {
  readonly seq: number;
  readonly batch: Batch;
}

/** File name: sequence then point count, so opening a spool never reads the batches. */
const NAME = /^(\d{16})-(\d+)\.lp$/;
const FIRST_SEQ = 1e12;

/**
 * Batches InfluxDB could not take, kept on disk in order, one file per batch,
 * bounded in bytes. Beyond the bound the oldest batches are dropped and
 * reported through `onDrop`. The index is updated synchronously, so callers
 * see the spool's size at once; file I/O runs on one chain, in call order.
 */
export class DiskSpool {
  private readonly entries: Entry[] = [];
  private totalBytes = 0;
  private totalPoints = 0;
  private chain: Promise<void> = Promise.resolve();

  private constructor(
    readonly dir: string,
    readonly maxBytes: number,
    private readonly onDrop: (points: number, reason: SpoolDropReason, detail: string) => void,
  ) {}

  /** Opens (creating if needed) the spool directory and picks up batches left by an earlier run. */
  static async open(
    dir: string,
    maxBytes: number,
    onDrop: (points: number, reason: SpoolDropReason, detail: string) => void,
  ): Promise<DiskSpool> {
    const spool = new DiskSpool(dir, maxBytes, onDrop);
    await mkdir(dir, { recursive: true });
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      if (name.endsWith('.tmp')) {
        // A write interrupted by a crash: the batch never made it to the spool.
        await unlink(join(dir, name)).catch(() => undefined);
        continue;
      }
      const m = NAME.exec(name);
      if (!m) continue;
      const { size } = await stat(join(dir, name));
      spool.add({ seq: Number(m[1]), bytes: size, points: Number(m[2]), inFlight: false }, 'back');
    }
    spool.enforceBound();
    return spool;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  get points(): number {
    return this.totalPoints;
  }

  get batches(): number {
    return this.entries.length;
  }

  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  /** Appends a batch after every spooled one. */
  pushBack(batch: Batch): void {
    const last = this.entries[this.entries.length - 1];
    this.store(last ? last.seq + 1 : FIRST_SEQ, batch, 'back');
  }

  /** Puts a batch before every spooled one: a batch that failed while newer ones were spooled. */
  pushFront(batch: Batch): void {
    const first = this.entries[0];
    this.store(first ? first.seq - 1 : FIRST_SEQ, batch, 'front');
  }

  /** The oldest batch, marked in flight until `remove` or `release`. */
  async peek(): Promise<SpooledBatch | undefined> {
    const entry = this.entries[0];
    if (!entry) return undefined;
    entry.inFlight = true;
    await this.chain;
    // Its write may have failed meanwhile; that failure was counted as the drop.
    if (!this.entries.includes(entry)) return this.peek();
    try {
      // The file is the batch's body, sent as it is.
      const body = await readFile(this.path(entry));
      return { seq: entry.seq, batch: { body, points: entry.points } };
    } catch (err) {
      if (this.removeEntry(entry)) this.onDrop(entry.points, 'spool_error', errorMessage(err));
      return this.peek();
    }
  }

  /** The batch was sent (or its bad points dropped): forget it. */
  remove(seq: number): void {
    const entry = this.entries.find((e) => e.seq === seq);
    if (!entry) return;
    this.removeEntry(entry);
    this.run(() => unlink(this.path(entry)));
  }

  /** The batch could not be sent: it stays first in line. */
  release(seq: number): void {
    const entry = this.entries.find((e) => e.seq === seq);
    if (entry) entry.inFlight = false;
    this.enforceBound();
  }

  /** Resolves once every file operation asked for so far is done. */
  async idle(): Promise<void> {
    await this.chain;
  }

  private store(seq: number, batch: Batch, where: 'front' | 'back'): void {
    const text = batch.body;
    const entry: Entry = { seq, bytes: text.length, points: batch.points, inFlight: false };
    this.add(entry, where);
    const file = this.path(entry);
    this.run(async () => {
      if (!this.entries.includes(entry)) return; // dropped by the bound before it was written
      try {
        await writeFile(`${file}.tmp`, text);
        await rename(`${file}.tmp`, file);
      } catch (err) {
        // A disk that filled up mid-write leaves part of the batch behind: it is not in the spool, so remove it now.
        await unlink(`${file}.tmp`).catch(() => undefined);
        if (this.removeEntry(entry)) this.onDrop(entry.points, 'spool_error', errorMessage(err));
      }
    });
    this.enforceBound();
  }

  private add(entry: Entry, where: 'front' | 'back'): void {
    if (where === 'front') this.entries.unshift(entry);
    else this.entries.push(entry);
    this.totalBytes += entry.bytes;
    this.totalPoints += entry.points;
  }

  /** False when the entry had already left (each batch is dropped, and counted, once). */
  private removeEntry(entry: Entry): boolean {
    const i = this.entries.indexOf(entry);
    if (i < 0) return false;
    this.entries.splice(i, 1);
    this.totalBytes -= entry.bytes;
    this.totalPoints -= entry.points;
    return true;
  }

  /** Drops the oldest batches (never the one being sent) until the spool fits its bound. */
  private enforceBound(): void {
    while (this.totalBytes > this.maxBytes) {
      const oldest = this.entries.find((e) => !e.inFlight);
      if (!oldest) return;
      this.removeEntry(oldest);
      this.run(() => unlink(this.path(oldest)));
      this.onDrop(oldest.points, 'spool_full', `spool over ${this.maxBytes} bytes`);
    }
  }

  private run(op: () => Promise<unknown>): void {
    this.chain = this.chain.then(op).then(
      () => undefined,
      () => undefined,
    );
  }

  private path(entry: Entry): string {
    return join(this.dir, `${String(entry.seq).padStart(16, '0')}-${entry.points}.lp`);
  }
}
