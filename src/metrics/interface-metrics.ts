import { Counter, Gauge, type Registry } from 'prom-client';
import type { MeasurementMapper } from './metrics-sink.js';

/**
 * Metrics of the SNMP collector: the kpid_interface_* series of SPEC.md,
 * plus its counter-hygiene counters. Defined against the injected registry.
 */
export function defineSnmpMetrics(registry: Registry) {
  const r = [registry];
  const perInterface = ['target', 'interface'] as const;
  const perDirection = ['target', 'interface', 'direction'] as const;
  return {
    operUp: new Gauge({
      name: 'kpid_interface_oper_up',
      help: 'Operational status of the interface (ifOperStatus): 1 up, 0 anything else.',
      labelNames: perInterface, registers: r,
    }),
    adminUp: new Gauge({
      name: 'kpid_interface_admin_up',
      help: 'Administrative status of the interface (ifAdminStatus): 1 up, 0 shut down or testing.',
      labelNames: perInterface, registers: r,
    }),
    speed: new Gauge({
      name: 'kpid_interface_speed_bytes',
      help: 'Interface speed in bytes per second, from ifHighSpeed, or ifSpeed when ifHighSpeed is 0 or absent.',
      labelNames: perInterface, registers: r,
    }),
    // Counters, not rates: Prometheus takes rate() itself. Each poll adds the
    // octets kpid counted between two polls, after its own wrap and reboot
    // handling, so `rate(...) * 8` is bits/s and never spikes.
    receiveBytes: new Counter({
      name: 'kpid_interface_receive_bytes_total',
      help: 'Bytes received, from ifHCInOctets (ifInOctets on SNMPv1); grows by what each poll counted, nothing across a reboot, reset or impossible value.',
      labelNames: perInterface, registers: r,
    }),
    transmitBytes: new Counter({
      name: 'kpid_interface_transmit_bytes_total',
      help: 'Bytes transmitted, from ifHCOutOctets (ifOutOctets on SNMPv1); grows by what each poll counted, nothing across a reboot, reset or impossible value.',
      labelNames: perInterface, registers: r,
    }),
    utilization: new Gauge({
      name: 'kpid_interface_utilization_ratio',
      help: 'Traffic over the last poll interval divided by the interface speed, 0 to 1; absent when the speed is unknown.',
      labelNames: perDirection, registers: r,
    }),
    errors: new Gauge({
      name: 'kpid_interface_errors_ratio',
      help: 'Errored packets divided by packets over the last poll interval, 0 to 1.',
      labelNames: perDirection, registers: r,
    }),
    discards: new Gauge({
      name: 'kpid_interface_discards_ratio',
      help: 'Discarded packets divided by packets over the last poll interval, 0 to 1.',
      labelNames: perDirection, registers: r,
    }),
    deviceUptime: new Gauge({
      name: 'kpid_device_uptime_seconds',
      help: 'sysUpTime of the device\'s SNMP agent, in seconds.',
      labelNames: ['target', 'site'] as const, registers: r,
    }),
    discontinuities: new Counter({
      name: 'kpid_snmp_discontinuities_total',
      help: 'Counter discontinuities seen by the SNMP collector: device reboots (sysUpTime or snmpEngineBoots going back) and cleared 64-bit counters. No rate is reported for those intervals.',
      labelNames: ['target'] as const, registers: r,
    }),
    discardedRates: new Counter({
      name: 'kpid_snmp_discarded_rates_total',
      help: 'Interface rates dropped because they exceeded 1.1 times the interface speed (an agent glitch, not traffic).',
      labelNames: ['target'] as const, registers: r,
    }),
  };
}

export type SnmpMetrics = ReturnType<typeof defineSnmpMetrics>;

/** `interface` samples → kpid_interface_*; `device` samples → uptime and the counter-hygiene counters (field `counter_resets` → kpid_snmp_discontinuities_total). */
export function interfaceMappers(m: SnmpMetrics): Array<[string, MeasurementMapper]> {
  const iface: MeasurementMapper = (s, series) => {
    const labels = { target: s.tags.target ?? '', interface: s.tags.interface ?? '' };
    const f = s.fields;
    const speedBytes = f.speed_bps === undefined ? undefined : f.speed_bps / 8;
    for (const [gauge, value] of [[m.operUp, f.oper_up], [m.adminUp, f.admin_up], [m.speed, speedBytes]] as const) {
      if (value !== undefined) series.set(gauge, labels, value);
    }
    // Bytes withheld this poll (first poll, reboot, impossible value) add
    // nothing: the counter keeps its value and stays monotonic.
    for (const [counter, bytes] of [[m.receiveBytes, f.in_bytes], [m.transmitBytes, f.out_bytes]] as const) {
      if (bytes === undefined || !(bytes >= 0)) continue;
      counter.inc(labels, bytes);
      series.track(counter, labels);
    }
    // A rate withheld this poll is unknown: drop the series rather than
    // keep showing an old value.
    const rates: Array<[Gauge<string>, Record<string, string>, number | undefined]> = [];
    for (const direction of ['in', 'out'] as const) {
      const l = { ...labels, direction };
      rates.push([m.utilization, l, f[`${direction}_utilization`]]);
      rates.push([m.errors, l, f[`${direction}_errors_ratio`]]);
      rates.push([m.discards, l, f[`${direction}_discards_ratio`]]);
    }
    for (const [gauge, l, value] of rates) {
      if (value !== undefined && Number.isFinite(value)) series.set(gauge, l, value);
      else series.clear(gauge, l);
    }
  };
  const device: MeasurementMapper = (s, series) => {
    const target = s.tags.target ?? '';
    if (s.fields.uptime_seconds !== undefined) {
      series.set(m.deviceUptime, { target, site: s.tags.site ?? '' }, s.fields.uptime_seconds);
    }
    if (s.fields.counter_resets !== undefined) {
      m.discontinuities.inc({ target }, s.fields.counter_resets);
      series.track(m.discontinuities, { target });
    }
    if (s.fields.discarded_rates !== undefined) {
      m.discardedRates.inc({ target }, s.fields.discarded_rates);
      series.track(m.discardedRates, { target });
    }
  };
  return [['interface', iface], ['device', device]];
}
