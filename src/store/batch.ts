/**
 * A batch of points as the bytes InfluxDB receives: lines of line protocol,
 * each ending in "\n". It is built once, as points are serialised, and then
 * sent, spooled to disk and read back as is: a batch that is already line
 * protocol is never split into lines and joined again, except to find a
 * point InfluxDB refused.
 */
export interface Batch {
  readonly body: Buffer;
  readonly points: number;
}

const NEWLINE = 0x0a;

/**
 * Serialised lines go straight into one reused byte buffer, so a queued
 * batch is one object rather than thousands of strings for the collector to
 * trace; `take` copies out exactly the bytes written.
 */
export class BatchBuilder {
  private scratch = Buffer.allocUnsafe(64 * 1024);
  private length = 0;
  private count = 0;

  get points(): number {
    return this.count;
  }

  add(line: string): void {
    // UTF-8 never takes more than 3 bytes per UTF-16 unit.
    const most = line.length * 3 + 1;
    if (this.length + most > this.scratch.length) this.grow(this.length + most);
    this.length += this.scratch.write(line, this.length, 'utf8');
    this.scratch[this.length++] = NEWLINE;
    this.count++;
  }

  /** The batch built so far; the builder starts empty again. */
  take(): Batch {
    const batch = { body: Buffer.from(this.scratch.subarray(0, this.length)), points: this.count };
    this.length = 0;
    this.count = 0;
    return batch;
  }

  private grow(needed: number): void {
    const next = Buffer.allocUnsafe(Math.max(needed, this.scratch.length * 2));
    this.scratch.copy(next, 0, 0, this.length);
    this.scratch = next;
  }
}

/** A batch of these lines (tests, and the halves of a refused batch). */
export function batchOf(lines: readonly string[]): Batch {
  return { body: Buffer.from(lines.map((l) => `${l}\n`).join('')), points: lines.length };
}

/** The lines of a batch: only needed to find a refused point, or in tests. */
export function linesOf(batch: Batch): string[] {
  return batch.body.toString('utf8').split('\n').filter((l) => l.length > 0);
}

/** Two batches of the first half of the points and the rest, for bisecting a refused batch. */
export function halves(batch: Batch): [Batch, Batch] {
  const half = Math.ceil(batch.points / 2);
  let at = -1;
  for (let i = 0; i < half; i++) at = batch.body.indexOf(NEWLINE, at + 1);
  return [
    { body: batch.body.subarray(0, at + 1), points: half },
    { body: batch.body.subarray(at + 1), points: batch.points - half },
  ];
}
