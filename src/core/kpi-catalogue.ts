import { negate, parseComparison, type Comparison } from './comparison.js';

/**
 * The KPI catalogue (../shared/docs/KPI-CATALOGUE.md) as defaults, one row
 * per KPI id. `target` is what compliance means; `warning` and `critical`
 * are the levels at which chapter 5.1 rules alert. Every entry can be moved
 * by `kpis:` in config without code changes.
 *
 * Units: ratios are 0–1 (a target of 99.9% is 0.999), durations are
 * seconds, rates are bits per second (see docs/rules.md).
 */
export interface KpiDefinition {
  readonly id: string;
  readonly name: string;
  readonly chapter: '3.2' | '5.1';
  readonly target: Comparison;
  readonly warning?: Comparison;
  readonly critical?: Comparison;
  readonly unit: 'ratio' | 'seconds' | 'bits_per_second' | 'count';
  /**
   * For a ratio of counts: the least denominator (packets, call attempts,
   * echoes) summed over `window` that makes the ratio mean something. Below
   * it the KPI has no value ("not enough traffic"), not 0 % or 100 %: one
   * frame dropped on an idle port is not a 100 % discard rate.
   */
  readonly minVolume?: { readonly count: number; readonly of: string; readonly window: number };
}

export type KpiLevel = 'target' | 'warning' | 'critical';

export interface KpiOverride {
  readonly target?: string;
  readonly warning?: string;
  readonly critical?: string;
  /** Least denominator over the window (a count, ≥ 0). */
  readonly min_volume?: number;
  /** Window the ratio's sums run over, ms. */
  readonly window?: number;
}

type Row = [id: string, name: string, chapter: '3.2' | '5.1', unit: KpiDefinition['unit'], target: string, warning?: string, critical?: string];

// The security incident target is "below the industry average"; the plan
// gives no number, so the default is 0 incidents and operators set theirs.
const ROWS: readonly Row[] = [
  ['network_coverage', 'network coverage', '3.2', 'ratio', '>= 99%'],
  ['call_drop_rate', 'call drop rate', '3.2', 'ratio', '< 0.5%'],
  ['avg_data_rate', 'average data transfer rate', '3.2', 'bits_per_second', '>= 100Mbit/s'],
  ['customer_satisfaction', 'customer satisfaction', '3.2', 'ratio', '>= 90%'],
  ['complaint_timeliness', 'complaints handled in time', '3.2', 'ratio', '>= 95%'],
  ['call_answer_rate', 'call connection / answer rate', '3.2', 'ratio', '>= 95%'],
  ['interruption_minutes', 'service interruption per incident', '3.2', 'seconds', '<= 30m'],
  ['recovery_minutes', 'service recovery time', '3.2', 'seconds', '<= 30m'],
  ['availability', 'system availability', '3.2', 'ratio', '>= 99.9%'],
  ['security_incident_rate', 'security incidents', '3.2', 'count', '<= 0'],
  ['customer_data_leaks', 'customer information leaks', '3.2', 'count', '= 0'],
  ['vuln_fix_rate', 'system vulnerabilities fixed', '3.2', 'ratio', '>= 100%'],
  ['bandwidth_utilisation', 'interface utilisation', '5.1', 'ratio', '<= 80%', '> 80%', '> 90%'],
  ['latency', 'round-trip time', '5.1', 'seconds', '<= 50ms', '> 50ms', '> 150ms'],
  ['packet_loss', 'packet loss', '5.1', 'ratio', '<= 1%', '> 1%', '> 5%'],
  ['jitter', 'round-trip jitter', '5.1', 'seconds', '<= 10ms', '> 10ms', '> 30ms'],
  ['interface_errors', 'interface errors and discards', '5.1', 'ratio', '<= 0.1%', '> 0.1%', '> 1%'],
  ['link_down', 'monitored link operationally down', '5.1', 'count', '= 1', undefined, '!= 1'],
  ['device_unreachable', 'device not answering SNMP and ping', '5.1', 'count', '= 1', undefined, '= 0'],
];

/**
 * Minimum volume of the ratio KPIs. Interface counts: 1,000 packets in 5 min
 * is ~3 packets/s, so one dropped frame moves the ratio by at most 0.1 %, the
 * warning level. Echoes: 100 in 5 min, what the default ICMP probe sends (10
 * echoes every 30 s), for the same reason: one lost echo is 1 %, on the
 * warning line and not over it; with 20 it would be 5 %, a critical page.
 * Calls: 100 attempts put one dropped call at 1 %, not 50 % of two calls.
 */
const MIN_VOLUME: Readonly<Record<string, NonNullable<KpiDefinition['minVolume']>>> = {
  interface_errors: { count: 1000, of: 'packets', window: 300_000 },
  call_drop_rate: { count: 100, of: 'call attempts', window: 900_000 },
  call_answer_rate: { count: 100, of: 'call attempts', window: 900_000 },
  packet_loss: { count: 100, of: 'echoes sent', window: 300_000 },
};

function must(text: string): Comparison {
  const c = parseComparison(text);
  if (typeof c === 'string') throw new Error(`KPI catalogue: ${c}`);
  return c;
}

export const DEFAULT_KPIS: ReadonlyMap<string, KpiDefinition> = new Map(
  ROWS.map(([id, name, chapter, unit, target, warning, critical]) => [id, {
    id, name, chapter, unit, target: must(target),
    ...(MIN_VOLUME[id] ? { minVolume: MIN_VOLUME[id] } : {}),
    ...(warning ? { warning: must(warning) } : {}),
    ...(critical ? { critical: must(critical) } : {}),
  }]),
);

/** The catalogue in force: defaults with `kpis:` overrides applied. */
export class KpiCatalogue {
  private readonly kpis: ReadonlyMap<string, KpiDefinition>;

  /** Throws when an override names an unknown KPI or is not a comparison; config validates both first. */
  constructor(overrides: Readonly<Record<string, KpiOverride>> = {}) {
    const kpis = new Map(DEFAULT_KPIS);
    for (const [id, o] of Object.entries(overrides)) {
      const base = kpis.get(id);
      if (!base) throw new Error(`unknown KPI "${id}"`);
      kpis.set(id, {
        ...base,
        ...(o.target ? { target: must(o.target) } : {}),
        ...(o.warning ? { warning: must(o.warning) } : {}),
        ...(o.critical ? { critical: must(o.critical) } : {}),
        ...(base.minVolume && (o.min_volume !== undefined || o.window !== undefined)
          ? { minVolume: { ...base.minVolume, count: o.min_volume ?? base.minVolume.count, window: o.window ?? base.minVolume.window } }
          : {}),
      });
    }
    this.kpis = kpis;
  }

  has(id: string): boolean {
    return this.kpis.has(id);
  }

  get(id: string): KpiDefinition | undefined {
    return this.kpis.get(id);
  }

  ids(): string[] {
    return [...this.kpis.keys()];
  }

  /**
   * The comparison that fires an alert at `level`: the violation of the
   * target, or the warning/critical condition itself.
   */
  alertCondition(id: string, level: KpiLevel): Comparison | undefined {
    const k = this.kpis.get(id);
    if (!k) return undefined;
    return level === 'target' ? negate(k.target) : k[level];
  }
}

/** Why an override is unusable, or undefined when it is fine; for config validation. */
export function checkKpiOverride(id: string, o: KpiOverride): { key?: keyof KpiOverride; message: string } | undefined {
  if (!DEFAULT_KPIS.has(id)) return { message: `unknown KPI id "${id}"; known: ${[...DEFAULT_KPIS.keys()].join(', ')}` };
  if ((o.min_volume !== undefined || o.window !== undefined) && !DEFAULT_KPIS.get(id)!.minVolume) {
    const ratios = [...DEFAULT_KPIS.values()].filter((k) => k.minVolume).map((k) => k.id);
    return { key: o.min_volume !== undefined ? 'min_volume' : 'window', message: `"${id}" is not a ratio of counts; min_volume and window apply to ${ratios.join(', ')}` };
  }
  for (const key of ['target', 'warning', 'critical'] as const) {
    const text = o[key];
    if (text === undefined) continue;
    const c = parseComparison(text);
    if (typeof c === 'string') return { key, message: c };
  }
  return undefined;
}
