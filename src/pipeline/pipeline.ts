import type { Logger } from '../core/logger.js';
import type { Sample } from '../core/sample.js';
import { errorMessage } from '../core/errors.js';

/**
 * A consumer of samples: the metrics registry, the rule engine, the store.
 * `write` must return quickly; a sink that does I/O buffers on its own and
 * applies its own bound (the store spools to disk).
 *
 * `lifetime` is how long the series of the batch live without another
 * sample, ms (Infinity: for ever): a sink that keeps state per series
 * forgets a series that stayed silent that long (core/periodic-sweep.ts).
 */
export interface Sink {
  readonly name: string;
  write(samples: readonly Sample[], lifetime: number): void;
}

/**
 * Fans every batch of samples out to all sinks. One failing sink never stops
 * the others from receiving the batch.
 */
export class Pipeline {
  private readonly sinks: Sink[] = [];

  constructor(private readonly log: Logger) {}

  add(sink: Sink): void {
    this.sinks.push(sink);
  }

  remove(name: string): void {
    const i = this.sinks.findIndex((s) => s.name === name);
    if (i >= 0) this.sinks.splice(i, 1);
  }

  /** `lifetime`: how long these series live without a sample, ms (the source knows: 3 polls of its target, or the pushed lifetime). */
  publish(samples: readonly Sample[], lifetime: number): void {
    if (samples.length === 0) return;
    for (const sink of this.sinks) {
      try {
        sink.write(samples, lifetime);
      } catch (err) {
        this.log.error({ sink: sink.name, err: errorMessage(err) }, 'sink failed to take samples');
      }
    }
  }
}
