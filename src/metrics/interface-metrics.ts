import { Counter, Gauge, type Registry } from 'prom-client';
import type { MeasurementMapper } from './metrics-sink.js';
import type { SeriesGroup } from './series-group.js';

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
  // An interface's 11 series, in the order of its group (series-group.ts): a
  // sample updates them by position, with one lookup for the interface.
  const perInterface = [m.operUp, m.adminUp, m.speed, m.receiveBytes, m.transmitBytes];
  const perDirection = [m.utilization, m.errors, m.discards];
  const layout = [...perInterface, ...perDirection, ...perDirection];
  const iface: MeasurementMapper = (s, series) => {
    const target = s.tags.target ?? '';
    const name = s.tags.interface ?? '';
    const g = series.group(target, name, layout);
    const expiresAt = series.expiry;
    const f = s.fields;
    if (f.oper_up !== undefined) put(g, 0, f.oper_up, expiresAt, target, name);
    if (f.admin_up !== undefined) put(g, 1, f.admin_up, expiresAt, target, name);
    if (f.speed_bps !== undefined) put(g, 2, f.speed_bps / 8, expiresAt, target, name);
    // Bytes withheld this poll (first poll, reboot, impossible value) add
    // nothing: the counter keeps its value and stays monotonic.
    if (f.in_bytes !== undefined && f.in_bytes >= 0) grow(g, 3, f.in_bytes, expiresAt, target, name);
    if (f.out_bytes !== undefined && f.out_bytes >= 0) grow(g, 4, f.out_bytes, expiresAt, target, name);
    // A rate withheld this poll is unknown: drop the series rather than
    // keep showing an old value.
    rate(g, 5, f.in_utilization, expiresAt, target, name, 'in');
    rate(g, 6, f.in_errors_ratio, expiresAt, target, name, 'in');
    rate(g, 7, f.in_discards_ratio, expiresAt, target, name, 'in');
    rate(g, 8, f.out_utilization, expiresAt, target, name, 'out');
    rate(g, 9, f.out_errors_ratio, expiresAt, target, name, 'out');
    rate(g, 10, f.out_discards_ratio, expiresAt, target, name, 'out');
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

// Each poll writes 11 series per interface that are nearly always on /metrics
// already: the writes below build nothing for them (no closure or array per
// sample), and labels only for a series new to /metrics.

function put(g: SeriesGroup, i: number, value: number, expiresAt: number, target: string, name: string, direction?: string): void {
  if (!g.update(i, value, expiresAt)) g.set(i, value, expiresAt, () => labelsOf(target, name, direction));
}

function grow(g: SeriesGroup, i: number, delta: number, expiresAt: number, target: string, name: string): void {
  if (!g.increase(i, delta, expiresAt)) g.add(i, delta, expiresAt, () => labelsOf(target, name));
}

function rate(g: SeriesGroup, i: number, value: number | undefined, expiresAt: number, target: string, name: string, direction: string): void {
  if (value !== undefined && Number.isFinite(value)) put(g, i, value, expiresAt, target, name, direction);
  else g.clear(i);
}

// One labels object for the series of one label set made one after the
// other (an interface's five, a direction's three), as series-group.ts
// shares their label text.
let lastLabels: Record<string, string> | undefined;

function labelsOf(target: string, name: string, direction?: string): Record<string, string> {
  const l = lastLabels;
  if (l && l.target === target && l.interface === name && l.direction === direction) return l;
  return (lastLabels = direction === undefined ? { target, interface: name } : { target, interface: name, direction });
}
