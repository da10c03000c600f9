import { spawn } from 'node:child_process';
import { CollectorError } from '../../core/errors.js';
import { parseFpingCounts } from './fping-output.js';

export interface PingRequest {
  /** An IP address; names are resolved before they get here, because one
   * unresolvable name makes fping fail the whole batch. */
  readonly address: string;
  readonly count: number;
  readonly spacingMs: number;
  readonly replyTimeoutMs: number;
}

interface Waiter {
  request: PingRequest;
  signal: AbortSignal;
  resolve(rtts: (number | null)[]): void;
  reject(err: Error): void;
}

export interface FpingBatcherOptions {
  /** fping binary; Debian installs it as /usr/bin/fping. */
  binary?: string;
  /** How long a batch stays open for more requests, ms. */
  gatherMs?: number;
  /** Most hosts per fping process. */
  maxBatch?: number;
}

export const FPING_MISSING =
  'fping is not installed or not on PATH; install it with `apt-get install fping` (Debian/Ubuntu) or `dnf install fping`';

/**
 * Runs fping for many targets at once: requests with the same count, spacing
 * and reply timeout that arrive within a few milliseconds share one process,
 * which pings all their hosts interleaved. One process per probe would cost a
 * fork and a raw socket per target per interval.
 */
export class FpingBatcher {
  private readonly binary: string;
  private readonly gatherMs: number;
  private readonly maxBatch: number;
  private readonly open = new Map<string, Waiter[]>();
  private readonly running = new Set<ReturnType<typeof spawn>>();

  constructor(opts: FpingBatcherOptions = {}) {
    this.binary = opts.binary ?? 'fping';
    this.gatherMs = opts.gatherMs ?? 20;
    this.maxBatch = opts.maxBatch ?? 1000;
  }

  /** Round trips in milliseconds for each request sent, `null` where none came back. */
  ping(request: PingRequest, signal: AbortSignal): Promise<(number | null)[]> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const key = `${request.count}/${request.spacingMs}/${request.replyTimeoutMs}`;
      let batch = this.open.get(key);
      if (!batch) {
        batch = [];
        this.open.set(key, batch);
        setTimeout(() => this.flush(key), this.gatherMs);
      }
      batch.push({ request, signal, resolve, reject });
      if (batch.length >= this.maxBatch) this.flush(key);
    });
  }

  private flush(key: string): void {
    const batch = this.open.get(key);
    if (!batch) return;
    this.open.delete(key);
    const live = batch.filter((w) => !w.signal.aborted);
    for (const w of batch) if (w.signal.aborted) w.reject(w.signal.reason);
    if (live.length) this.run(live);
  }

  private run(waiters: Waiter[]): void {
    const { count, spacingMs, replyTimeoutMs } = waiters[0]!.request;
    const addresses = [...new Set(waiters.map((w) => w.request.address))];
    // -q: summary only; -C: per-packet round trips; -r 0 -B 1: the probe's own
    // count is the retry policy; -i 1: interleave hosts 1 ms apart so a batch
    // of many hosts takes as long as one.
    const args = ['-q', '-C', String(count), '-p', String(spacingMs), '-t', String(replyTimeoutMs),
      '-i', '1', '-r', '0', '-B', '1', ...addresses];
    let stderr = '';
    const child = spawn(this.binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.running.add(child);
    const pending = new Set(waiters);
    const onAbort = () => {
      for (const w of pending) {
        if (w.signal.aborted) {
          pending.delete(w);
          w.reject(w.signal.reason);
        }
      }
      if (pending.size === 0) child.kill('SIGKILL');
    };
    for (const w of waiters) w.signal.addEventListener('abort', onAbort, { once: true });
    const cleanup = () => {
      this.running.delete(child);
      for (const w of waiters) w.signal.removeEventListener('abort', onAbort);
    };
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err: NodeJS.ErrnoException) => {
      cleanup();
      const e = err.code === 'ENOENT'
        ? new CollectorError('icmp', 'fping_missing', FPING_MISSING)
        : new CollectorError('icmp', 'fping_failed', `could not run fping: ${err.message}`);
      for (const w of pending) w.reject(e);
      pending.clear();
    });
    child.on('close', (code) => {
      cleanup();
      const results = parseFpingCounts(stderr);
      for (const w of pending) {
        const rtts = results.get(w.request.address);
        if (rtts) w.resolve(rtts);
        else {
          const detail = stderr.split('\n').find((l) => l.includes(w.request.address)) ?? stderr.trim().split('\n')[0] ?? '';
          w.reject(new CollectorError('icmp', 'fping_failed',
            `fping exited ${code} without a result for ${w.request.address}${detail ? `: ${detail.trim()}` : ''}`));
        }
      }
      pending.clear();
    });
  }

  /** Kills fping processes still running (shutdown). */
  async close(): Promise<void> {
    for (const child of this.running) child.kill('SIGKILL');
    this.running.clear();
  }
}
