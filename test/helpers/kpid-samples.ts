import type { Sample } from '../../src/core/sample.js';

/**
 * An hour of the samples kpid's collectors, rules and outage ledger produce
 * for a small network, with the measurements, tags and fields of SPEC.md:
 * two sites, three devices, two interfaces each, ICMP and TCP probes, a
 * voice switch, catalogue KPIs and one outage.
 */
export function networkHour(end: number, stepMs = 30_000): Sample[] {
  const out: Sample[] = [];
  const devices = [
    { target: 'core-1', site: 'bj-dc1' },
    { target: 'core-2', site: 'bj-dc1' },
    { target: 'edge-1', site: 'sh-dc2' },
  ];
  const steps = Math.floor(3_600_000 / stepMs);
  for (let s = 0; s < steps; s++) {
    const time = end - (steps - s) * stepMs;
    const wave = Math.sin(s / 10);
    for (const [d, { target, site }] of devices.entries()) {
      const up = target === 'edge-1' && s > steps - 10 ? 0 : 1;
      out.push({ measurement: 'target', tags: { target, site }, fields: { up }, integerFields: ['up'], time });
      out.push({ measurement: 'device', tags: { target, site }, fields: { up, uptime_seconds: 86_400 + s * 30 }, time });
      for (const [i, iface] of ['Gi0/1', 'Gi0/2'].entries()) {
        const util = 0.4 + 0.3 * wave * (i + 1) * 0.5 + d * 0.1;
        out.push({
          measurement: 'interface',
          tags: { target, site, interface: iface },
          fields: {
            in_bps: util * 1e9, out_bps: util * 0.6e9, in_utilization: util, out_utilization: util * 0.6,
            in_errors_ratio: 0.0002 * (d + 1), out_errors_ratio: 0.0001, in_discards_ratio: 0.00005, out_discards_ratio: 0,
            oper_up: up, admin_up: 1, speed_bps: 1e9,
          },
          time,
        });
      }
      for (const probe of ['icmp', 'tcp:22']) {
        const rtt = 0.01 + d * 0.02 + 0.005 * wave;
        const received = up ? 10 - (s % 7 === 0 ? 1 : 0) : 0;
        out.push({
          measurement: 'probe',
          tags: { target, site, probe },
          fields: {
            success: up, rtt_seconds: rtt, rtt_min_seconds: rtt * 0.8, rtt_max_seconds: rtt * 1.4,
            jitter_seconds: 0.002 + d * 0.003, loss_ratio: (10 - received) / 10, sent: 10, received,
          },
          integerFields: ['success', 'sent', 'received'],
          time,
        });
      }
    }
    const attempts = 1_000 + Math.round(100 * wave);
    const answered = Math.round(attempts * 0.965);
    out.push({
      measurement: 'voice',
      tags: { target: 'msc-1', site: 'bj-dc1' },
      fields: { call_attempts: attempts, calls_answered: answered, calls_dropped: Math.round(answered * 0.003) },
      integerFields: ['call_attempts', 'calls_answered', 'calls_dropped'],
      time,
    });
    for (const [kpi, value] of [['call_drop_rate', 0.003], ['call_answer_rate', 0.965], ['latency', 0.03]] as const) {
      out.push({ measurement: 'kpi', tags: { kpi, scope: 'bj-dc1' }, fields: { value }, time });
    }
    for (const service of ['voice-core', 'internet']) {
      // Rolling 30 days as src/alerts feeds it back (no window tag); month to date tagged.
      out.push({ measurement: 'kpi', tags: { kpi: 'availability', scope: service }, fields: { value: 0.9995 }, time });
      const mtd = service === 'internet' ? 0.9982 : 0.9999;
      out.push({ measurement: 'kpi', tags: { kpi: 'availability', scope: service, window: 'month_to_date' }, fields: { value: mtd }, time });
    }
    const outageStart = steps - 20;
    if (s >= outageStart) {
      out.push({
        measurement: 'outage',
        tags: { service: 'internet', outage: 'out-1' },
        fields: { open: 1, remaining_seconds: 1_800 - (s - outageStart) * 30, duration_seconds: (s - outageStart) * 30 },
        integerFields: ['open'],
        time,
      });
    }
  }
  return out;
}
