import { spawn } from 'node:child_process';

/** What one iperf3 run measured, from the receiver's side (end.sum_received of `iperf3 -J`). */
export interface Iperf3Result {
  readonly bitsPerSecond: number;
  readonly bytes: number;
  readonly seconds: number;
  /** TCP retransmissions by the sender (end.sum_sent.retransmits), when iperf3 reports them. */
  readonly retransmits?: number;
}

/** Why a run failed: `reason` is the short fixed word for kpid_collector_errors_total. */
export class Iperf3Failure extends Error {
  constructor(readonly reason: string, message: string) {
    super(message);
  }
}

export interface Iperf3Run {
  readonly address: string;
  readonly port: number;
  /** Whole seconds of sending (iperf3 -t). */
  readonly seconds: number;
  /** The server sends (iperf3 -R): a download. */
  readonly reverse: boolean;
  readonly signal: AbortSignal;
}

/**
 * iperf3's error text, sorted into the reasons an operator acts on
 * differently: nothing listens (refused), the host is not reached
 * (unreachable), or the server is running someone else's test (busy).
 */
function reasonOf(error: string): string {
  if (/connection refused/i.test(error)) return 'refused';
  if (/no route to host|network is unreachable|host is unreachable/i.test(error)) return 'unreachable';
  if (/busy/i.test(error)) return 'busy';
  return 'iperf3';
}

/**
 * Runs the iperf3 client with JSON output. The receiver's figure is taken in
 * both directions: it counts what arrived, where the sender's counts what was
 * written into its socket buffer. The child dies with the signal, so a run
 * never outlives the probe's timeout.
 */
export function runIperf3(o: Iperf3Run): Promise<Iperf3Result> {
  const args = ['-c', o.address, '-p', String(o.port), '-t', String(o.seconds), '-J', ...(o.reverse ? ['-R'] : [])];
  return new Promise((resolve, reject) => {
    const child = spawn('iperf3', args, { stdio: ['ignore', 'pipe', 'pipe'], signal: o.signal, killSignal: 'SIGKILL' });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (o.signal.aborted) reject(new Iperf3Failure('timeout', `iperf3 killed at the probe timeout`));
      else if (e.code === 'ENOENT') reject(new Iperf3Failure('iperf3_missing', 'iperf3 is not installed (Debian package iperf3)'));
      else reject(new Iperf3Failure('iperf3', `iperf3 did not run: ${e.message}`));
    });
    child.on('close', (code) => {
      if (o.signal.aborted) return; // settled by 'error'
      let report: { error?: unknown; end?: { sum_received?: Sum; sum_sent?: Sum } };
      try {
        report = JSON.parse(out);
      } catch {
        return reject(new Iperf3Failure('iperf3', `iperf3 exited with ${code} without a JSON report: ${err.trim().slice(0, 200)}`));
      }
      if (typeof report.error === 'string') return reject(new Iperf3Failure(reasonOf(report.error), `iperf3: ${report.error}`));
      const got = report.end?.sum_received;
      if (typeof got?.bits_per_second !== 'number') return reject(new Iperf3Failure('iperf3', 'iperf3 report has no end.sum_received'));
      const retransmits = report.end?.sum_sent?.retransmits;
      resolve({
        bitsPerSecond: got.bits_per_second,
        bytes: got.bytes ?? 0,
        seconds: got.seconds ?? 0,
        ...(typeof retransmits === 'number' ? { retransmits } : {}),
      });
    });
  });
}

interface Sum {
  bits_per_second?: number;
  bytes?: number;
  seconds?: number;
  retransmits?: number;
}
