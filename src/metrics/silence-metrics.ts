import { Gauge, type Registry } from 'prom-client';

/** Silence health, read at scrape time from the daemon's Silences. */
export function defineSilenceMetrics(registry: Registry, unreadable: () => number) {
  return {
    unreadable: new Gauge({
      name: 'kpid_silences_unreadable',
      help: 'Stored silences that could not be read at the last read of the state store; they are skipped and listed under "unreadable" by GET /api/v1/silences.',
      registers: [registry],
      collect() {
        this.set(unreadable());
      },
    }),
  };
}
