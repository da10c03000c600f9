import type { KpidMetrics } from './definitions.js';
import type { MeasurementMapper } from './metrics-sink.js';

/** `probe` samples → kpid_probe_*; `target` samples → kpid_target_up. */
export function probeMappers(m: KpidMetrics): Array<[string, MeasurementMapper]> {
  const probe: MeasurementMapper = (s, series) => {
    const labels = { target: s.tags.target ?? '', probe: s.tags.probe ?? '' };
    const f = s.fields;
    if (f.success !== undefined) series.set(m.probeSuccess, labels, f.success);
    if (f.loss_ratio !== undefined) series.set(m.probeLoss, labels, f.loss_ratio);
    if (f.cert_expiry_seconds !== undefined) series.set(m.probeCertExpiry, labels, f.cert_expiry_seconds);
    // With no reply there is no round trip: drop the series rather than
    // keep showing the last good value next to success=0.
    for (const [gauge, value] of [[m.probeRtt, f.rtt_seconds], [m.probeJitter, f.jitter_seconds]] as const) {
      if (value !== undefined) series.set(gauge, labels, value);
      else series.clear(gauge, labels);
    }
  };
  const target: MeasurementMapper = (s, series) => {
    if (s.fields.up !== undefined) {
      series.set(m.targetUp, { target: s.tags.target ?? '', site: s.tags.site ?? '' }, s.fields.up);
    }
  };
  return [['probe', probe], ['target', target]];
}
