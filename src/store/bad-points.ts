import { halves, type Batch } from './batch.js';
import type { LineWriter } from './influx-writer.js';

export type DeliveryResult =
  | {
      readonly kind: 'delivered';
      /** Points InfluxDB stored. */
      readonly written: number;
      /** Points InfluxDB refused, each alone; the first few messages for the log. */
      readonly rejected: number;
      readonly errors: readonly string[];
    }
  | { readonly kind: 'unavailable'; readonly message: string; readonly status?: number };

/**
 * Writes a batch so that a bad point costs only itself.
 *
 * A plain 4xx means InfluxDB stored nothing; a "partial write" means it
 * stored the good points, but its `dropped=` count leaves out some causes
 * (a point beyond retention next to a type conflict is reported as one).
 * Either way the batch is split in halves until each bad point stands alone
 * and is dropped and counted exactly: about 2·log2(n) extra writes per bad
 * point. Writing a good point again is harmless, because a point with the
 * same series and time overwrites itself; for the same reason, if InfluxDB
 * goes away half way, the whole batch is reported unavailable and spooled.
 */
export async function deliver(writer: LineWriter, batch: Batch, signal?: AbortSignal): Promise<DeliveryResult> {
  const result = await writer.write(batch, signal);
  switch (result.kind) {
    case 'written':
      return { kind: 'delivered', written: batch.points, rejected: 0, errors: [] };
    case 'unavailable':
      return result.status === undefined
        ? { kind: 'unavailable', message: result.message }
        : { kind: 'unavailable', message: result.message, status: result.status };
    case 'partial':
    case 'rejected': {
      if (batch.points <= 1) return { kind: 'delivered', written: 0, rejected: batch.points, errors: [result.message] };
      const [firstHalf, secondHalf] = halves(batch);
      const first = await deliver(writer, firstHalf, signal);
      if (first.kind === 'unavailable') return first;
      const second = await deliver(writer, secondHalf, signal);
      if (second.kind === 'unavailable') return second;
      return {
        kind: 'delivered',
        written: first.written + second.written,
        rejected: first.rejected + second.rejected,
        errors: [...first.errors, ...second.errors].slice(0, 5),
      };
    }
  }
}
