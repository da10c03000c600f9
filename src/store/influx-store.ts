import type { Clock, TimerHandle } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Sample } from '../core/sample.js';
import type { StoreMetrics } from './writer-metrics.js';
import type { Sink } from '../pipeline/pipeline.js';
import { deliver } from './bad-points.js';
import { BatchBuilder, type Batch } from './batch.js';
import { adminClient, prepareDatabase } from './influx-setup.js';
import { InfluxHttpWriter, type LineWriter } from './influx-writer.js';
import { FieldTypes, toLine } from './line-protocol-writer.js';
import { DiskSpool, type SpoolDropReason } from './spool.js';
import type { InfluxStoreOptions } from './store-options.js';

export interface InfluxStoreDeps {
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: StoreMetrics;
  /** Replaces the HTTP writer (tests). */
  readonly writer?: LineWriter;
  /** Replaces database preparation (tests); it may throw while InfluxDB is away. */
  readonly prepare?: (types: FieldTypes) => Promise<void>;
}

/** What /readyz and the operator need to know about the store. */
export interface InfluxStoreStatus {
  readonly reachable: boolean;
  readonly bufferedPoints: number;
  readonly queuedBatches: number;
  readonly spooledPoints: number;
  readonly spoolBytes: number;
}

/**
 * The InfluxDB sink. `write` only serialises and buffers; batches leave by
 * size or by time and are written one at a time, in order. While InfluxDB is
 * unreachable or answering 5xx, batches go to the on-disk spool and are
 * replayed oldest first when it answers again.
 *
 * Order: the memory queue always holds older batches than the spool. A new
 * batch joins the queue only while the spool is empty and the queue has room;
 * otherwise it goes to the back of the spool. When a write fails, the batch
 * in flight and the queue move to the front of the spool.
 */
export class InfluxStore implements Sink {
  readonly name = 'influx';
  private readonly types = new FieldTypes();
  private readonly writer: LineWriter;
  private readonly prepare: (types: FieldTypes) => Promise<void>;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxQueued: number;
  private readonly buffer = new BatchBuilder();
  private queue: Batch[] = [];
  private spool: DiskSpool | undefined;
  private prepared = false;
  private down = false;
  private failures = 0;
  private pumping: Promise<void> | undefined;
  private flushTimer: TimerHandle | undefined;
  private retryTimer: TimerHandle | undefined;
  private closing = false;
  private abort = new AbortController();

  constructor(
    private readonly options: InfluxStoreOptions,
    private readonly deps: InfluxStoreDeps,
  ) {
    this.batchSize = options.batchSize ?? 5_000;
    this.flushIntervalMs = options.flushIntervalMs ?? 1_000;
    this.maxQueued = options.maxQueuedBatches ?? 10;
    this.writer =
      deps.writer ??
      new InfluxHttpWriter({
        url: options.url,
        database: options.database,
        ...(options.retentionPolicy ? { retentionPolicy: options.retentionPolicy.name } : {}),
        ...(options.username !== undefined ? { username: options.username } : {}),
        ...(options.password !== undefined ? { password: options.password } : {}),
        timeoutMs: options.timeoutMs ?? 10_000,
      });
    this.prepare = deps.prepare ?? ((types) => prepareDatabase(adminClient(options), options, types));
  }

  /**
   * Opens the spool (replaying what an earlier run left) and prepares the
   * database. An unreachable InfluxDB does not fail the start: samples spool
   * until it answers.
   */
  async start(): Promise<void> {
    this.spool = await DiskSpool.open(this.options.spoolDir, this.options.spoolMaxBytes ?? 256 * 1024 ** 2, (points, reason, detail) =>
      this.dropSpooled(points, reason, detail),
    );
    if (!this.spool.isEmpty) {
      this.deps.log.info({ points: this.spool.points, bytes: this.spool.bytes }, 'influx: replaying spool left by the last run');
    }
    try {
      await this.prepare(this.types);
      this.prepared = true;
    } catch (err) {
      this.deps.log.warn({ err: errorMessage(err), url: this.options.url }, 'influx: cannot prepare the database yet; spooling until it answers');
      // Unreachable from the first /readyz on, not only after a write fails.
      this.down = true;
    }
    this.armFlushTimer();
    this.refreshGauges();
    this.kick();
  }

  write(samples: readonly Sample[]): void {
    if (this.closing) return;
    let invalid = 0;
    for (const sample of samples) {
      const line = toLine(sample, this.types);
      if (line === undefined) invalid++;
      else {
        this.buffer.add(line);
        if (this.buffer.points >= this.batchSize) this.flush();
      }
    }
    if (invalid > 0) this.deps.metrics.droppedPoints.inc({ reason: 'invalid' }, invalid);
  }

  /** Hands the buffered points to the writer now. */
  flush(): void {
    if (this.buffer.points === 0) return;
    const batch = this.buffer.take();
    if (this.spool && (!this.spool.isEmpty || this.down || this.queue.length >= this.maxQueued)) {
      this.toSpool(batch, 'back');
    } else {
      this.queue.push(batch);
    }
    this.kick();
  }

  status(): InfluxStoreStatus {
    return {
      reachable: !this.down,
      bufferedPoints: this.buffer.points,
      queuedBatches: this.queue.length,
      spooledPoints: this.spool?.points ?? 0,
      spoolBytes: this.spool?.bytes ?? 0,
    };
  }

  /**
   * Writes what it can within closeTimeoutMs, then leaves everything else in
   * the spool for the next start.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.flush();
    this.closing = true;
    if (this.flushTimer) this.deps.clock.clearTimeout(this.flushTimer);
    if (this.retryTimer) this.deps.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.kick();
    const pumping = this.pumping;
    if (pumping) {
      await new Promise<void>((resolve) => {
        const t = this.deps.clock.setTimeout(resolve, this.options.closeTimeoutMs ?? 5_000);
        void pumping.finally(() => {
          this.deps.clock.clearTimeout(t);
          resolve();
        });
      });
    }
    this.abort.abort();
    await this.pumping;
    this.spillQueue();
    await this.spool?.idle();
    this.refreshGauges();
    if (this.spool && !this.spool.isEmpty) {
      this.deps.log.warn({ points: this.spool.points, dir: this.spool.dir }, 'influx: points left in the spool for the next start');
    }
  }

  private kick(): void {
    if (this.pumping || !this.spool || this.retryTimer) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      this.refreshGauges();
    });
  }

  /** Writes batches one at a time, queue first (it is older), until both are empty or InfluxDB fails. */
  private async pump(): Promise<void> {
    const spool = this.spool!;
    while (!this.abort.signal.aborted) {
      if (!this.prepared) {
        try {
          await this.prepare(this.types);
          this.prepared = true;
        } catch (err) {
          this.unavailable(errorMessage(err));
          return;
        }
        // InfluxDB answered: it is reachable again even when there is nothing
        // to write (an idle kpid must not stay unready forever).
        this.reachableAgain();
      }
      let batch: Batch;
      let seq: number | undefined;
      if (this.queue.length > 0) {
        batch = this.queue.shift()!;
      } else if (!spool.isEmpty) {
        const spooled = await spool.peek();
        if (!spooled) continue;
        ({ batch, seq } = spooled);
      } else return;

      const started = performance.now();
      const result = await deliver(this.writer, batch, this.abort.signal);
      this.deps.metrics.writeDuration.observe((performance.now() - started) / 1000);

      if (result.kind === 'unavailable') {
        if (seq !== undefined) spool.release(seq);
        this.spillQueue();
        if (seq === undefined) this.toSpool(batch, 'front'); // taken from the queue: older than all the rest
        // A 404 means the database went away: create it again before the next write.
        if (result.status === 404) this.prepared = false;
        this.unavailable(result.message);
        return;
      }
      if (seq !== undefined) spool.remove(seq);
      this.deps.metrics.points.inc({ result: 'written' }, result.written);
      if (result.rejected > 0) {
        this.deps.metrics.points.inc({ result: 'rejected' }, result.rejected);
        this.deps.metrics.droppedPoints.inc({ reason: 'rejected' }, result.rejected);
        this.deps.log.warn({ points: result.rejected, errors: result.errors }, 'influx: dropped points InfluxDB refused');
      }
      this.reachableAgain();
      this.refreshGauges();
    }
  }

  private reachableAgain(): void {
    if (this.down) {
      this.deps.log.info({ spooled: this.spool?.points ?? 0 }, 'influx: reachable again');
      this.down = false;
    }
    this.failures = 0;
  }

  private unavailable(message: string): void {
    if (!this.down) this.deps.log.warn({ err: message, url: this.options.url }, 'influx: unavailable, spooling batches');
    this.down = true;
    this.failures++;
    this.refreshGauges();
    if (this.closing) return;
    const min = this.options.retryMinMs ?? 1_000;
    const max = this.options.retryMaxMs ?? 30_000;
    const delay = Math.min(max, min * 2 ** Math.min(this.failures - 1, 20));
    this.retryTimer = this.deps.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, delay);
  }

  /** Moves every queued batch, in order, to the front of the spool (they are older than what it holds). */
  private spillQueue(): void {
    if (!this.spool) return;
    for (let i = this.queue.length - 1; i >= 0; i--) this.toSpool(this.queue[i]!, 'front');
    this.queue = [];
  }

  private toSpool(batch: Batch, where: 'front' | 'back'): void {
    if (where === 'front') this.spool!.pushFront(batch);
    else this.spool!.pushBack(batch);
    this.deps.metrics.points.inc({ result: 'spooled' }, batch.points);
    this.refreshGauges();
  }

  private dropSpooled(points: number, reason: SpoolDropReason, detail: string): void {
    this.deps.metrics.droppedPoints.inc({ reason }, points);
    this.deps.log.error({ points, reason, detail }, 'influx: dropped spooled points');
    this.refreshGauges();
  }

  private armFlushTimer(): void {
    this.flushTimer = this.deps.clock.setTimeout(() => {
      this.flush();
      if (!this.closing) this.armFlushTimer();
    }, this.flushIntervalMs);
  }

  private refreshGauges(): void {
    this.deps.metrics.spoolBytes.set(this.spool?.bytes ?? 0);
  }
}
