/**
 * What each measurement's fields are, so a rule that asks for a meaningless
 * aggregation (the p95 of an up/down flag, the rate of a utilisation) is
 * rejected at load. The contract of these fields is in SPEC.md and the
 * collectors' docs.
 *
 * - gauge: a value at an instant (seconds, ratios, bits per second);
 * - state: 1 or 0 (up, oper_up, success);
 * - delta: a count since the previous poll (calls, packets), so it sums.
 */
export type FieldKind = 'gauge' | 'state' | 'delta';

export const MEASUREMENT_FIELDS: Readonly<Record<string, Readonly<Record<string, FieldKind>>>> = {
  probe: {
    success: 'state', rtt_seconds: 'gauge', rtt_min_seconds: 'gauge', rtt_max_seconds: 'gauge',
    jitter_seconds: 'gauge', loss_ratio: 'gauge', sent: 'delta', received: 'delta', lost: 'delta',
    // throughput probes (one transfer each, so its bytes are a gauge, not a count since the last poll)
    download_bits_per_second: 'gauge', upload_bits_per_second: 'gauge', ttfb_seconds: 'gauge',
    duration_seconds: 'gauge', bytes: 'gauge', upload_bytes: 'gauge',
    // DNS probes
    rcode: 'gauge', answers: 'gauge', answer_matches: 'state', truncated: 'state', tcp: 'state',
  },
  target: { up: 'state' },
  interface: {
    in_bps: 'gauge', out_bps: 'gauge', in_utilization: 'gauge', out_utilization: 'gauge',
    in_errors_ratio: 'gauge', out_errors_ratio: 'gauge', in_discards_ratio: 'gauge', out_discards_ratio: 'gauge',
    oper_up: 'state', admin_up: 'state', speed_bps: 'gauge', in_bytes: 'delta', out_bytes: 'delta',
    in_packets: 'delta', in_errors: 'delta', in_discards: 'delta', out_packets: 'delta', out_errors: 'delta', out_discards: 'delta',
    // 1 once kpid has seen the link up (or config says it must be up): interface rules page only for these.
    monitored: 'state',
  },
  device: { up: 'state', uptime_seconds: 'gauge' },
  voice: { call_attempts: 'delta', calls_answered: 'delta', calls_dropped: 'delta' },
  kpi: { value: 'gauge' },
};

export const AGGREGATIONS = ['last', 'avg', 'min', 'max', 'sum', 'count', 'p50', 'p95', 'p99', 'rate', 'ratio'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

const ALLOWED: Record<FieldKind, ReadonlySet<Aggregation>> = {
  gauge: new Set(['last', 'avg', 'min', 'max', 'sum', 'count', 'p50', 'p95', 'p99']),
  state: new Set(['last', 'avg', 'min', 'max', 'sum', 'count']),
  delta: new Set(AGGREGATIONS),
};

const WHY: Record<FieldKind, string> = {
  gauge: 'is a gauge (a value at an instant): rate and ratio need per-poll counts',
  state: 'is a 1/0 state: use last, min, max, avg, sum or count',
  delta: '',
};

/** Why `agg` cannot be applied to `measurement.field`, or undefined when it can. */
export function checkAggregation(measurement: string, field: string, agg: Aggregation): string | undefined {
  const fields = MEASUREMENT_FIELDS[measurement];
  if (!fields) return `unknown measurement "${measurement}"; known: ${Object.keys(MEASUREMENT_FIELDS).join(', ')}`;
  const kind = fields[field];
  if (!kind) return `measurement "${measurement}" has no field "${field}"; known: ${Object.keys(fields).join(', ')}`;
  if (!ALLOWED[kind].has(agg)) return `aggregation "${agg}" is unknown for field "${field}", which ${WHY[kind]}`;
  return undefined;
}
