import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Every metric kpid exports, defined in one place against one injected
 * Registry (never prom-client's global one). Names follow
 * kpid_<subsystem>_<name>_<unit>; SPEC.md is the contract for them.
 */
export function defineMetrics(registry: Registry) {
  const r = [registry];
  return {
    targetUp: new Gauge({
      name: 'kpid_target_up',
      help: 'Whether the target answered its last poll (1) or not (0).',
      labelNames: ['target', 'site'] as const,
      registers: r,
    }),
    probeSuccess: new Gauge({
      name: 'kpid_probe_success',
      help: 'Whether the last probe of the target succeeded (1) or failed (0).',
      labelNames: ['target', 'probe'] as const,
      registers: r,
    }),
    probeRtt: new Gauge({
      name: 'kpid_probe_rtt_seconds',
      help: 'Mean round-trip time of the last probe, in seconds.',
      labelNames: ['target', 'probe'] as const,
      registers: r,
    }),
    probeLoss: new Gauge({
      name: 'kpid_probe_loss_ratio',
      help: 'Share of the last probe\'s packets that got no answer, 0 to 1.',
      labelNames: ['target', 'probe'] as const,
      registers: r,
    }),
    probeCertExpiry: new Gauge({
      name: 'kpid_probe_cert_expiry_seconds',
      help: 'Seconds until the notAfter of the certificate an HTTPS probe was last served (negative once expired).',
      labelNames: ['target', 'probe'] as const,
      registers: r,
    }),
    probeJitter: new Gauge({
      name: 'kpid_probe_jitter_seconds',
      help: 'Mean absolute difference between successive round trips of the last probe, in seconds.',
      labelNames: ['target', 'probe'] as const,
      registers: r,
    }),
    collectorDuration: new Histogram({
      name: 'kpid_collector_duration_seconds',
      help: 'Time one poll of one collector took, in seconds.',
      labelNames: ['collector'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: r,
    }),
    collectorErrors: new Counter({
      name: 'kpid_collector_errors_total',
      help: 'Polls that could not measure, by collector and reason.',
      labelNames: ['collector', 'reason'] as const,
      registers: r,
    }),
    skippedPolls: new Counter({
      name: 'kpid_scheduler_skipped_polls_total',
      help: 'Polls skipped because the previous poll of the same job was still running or waiting for a slot.',
      labelNames: ['collector'] as const,
      registers: r,
    }),
    pollsInFlight: new Gauge({
      name: 'kpid_scheduler_polls_in_flight',
      help: 'Polls running now, bounded by defaults.concurrency.',
      registers: r,
    }),
    targets: new Gauge({
      name: 'kpid_scheduler_targets',
      help: 'Targets in the running configuration.',
      registers: r,
    }),
    configReloadSuccess: new Gauge({
      name: 'kpid_config_last_reload_success',
      help: 'Whether the last configuration load or reload succeeded (1) or was rejected (0).',
      registers: r,
    }),
    configReloadTime: new Gauge({
      name: 'kpid_config_last_reload_success_timestamp_seconds',
      help: 'When the configuration was last loaded successfully, as a Unix time.',
      registers: r,
    }),
    clockJumps: new Counter({
      name: 'kpid_clock_jumps_total',
      help: 'Steps of the wall clock of more than 5 seconds (NTP or an operator setting the date), by direction. Durations and SLA clocks keep real time across them (docs/time.md).',
      labelNames: ['direction'] as const,
      registers: r,
    }),
    configErrors: new Gauge({
      name: 'kpid_config_errors',
      help: 'Errors found in the last rejected configuration (0 after a successful load).',
      registers: r,
    }),
  };
}

export type KpidMetrics = ReturnType<typeof defineMetrics>;
