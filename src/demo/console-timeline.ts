import type { Notification } from '../core/alert.js';
import { formatDuration } from '../core/duration.js';
import type { ScaledClock } from './scaled-clock.js';

/** An outage as GET /api/v1/outages shows it (the fields the demo prints). */
export interface OutageLine {
  readonly id: string;
  readonly service: string;
  readonly state: 'open' | 'restored';
  readonly startedAt: string;
  readonly restoredAt: string | null;
  readonly durationSeconds: number;
  readonly sla: { readonly recoveryTargetSeconds: number; readonly warnAtSeconds: readonly number[]; readonly met: boolean | null };
}

const TAGS: Record<Notification['kind'], string> = {
  firing: 'FIRING',
  resolved: 'RESOLVED',
  sla_warning: 'SLA',
  sla_breach: 'BREACH',
  sla_restored: 'RESTORED',
  escalation: 'ESCALATE',
  flapping: 'FLAPPING',
  flap_ended: 'STABLE',
};

/**
 * The demo's console: one line per event, stamped with demo time since
 * the start (T+mm:ss) and the real seconds it took to get there.
 */
export class ConsoleTimeline {
  /** Alerts that fired, by rule, for the closing summary. */
  readonly fired = new Map<string, number>();

  constructor(private readonly clock: ScaledClock, private readonly out: (text: string) => void) {}

  line(tag: string, text: string, at = this.clock.now()): void {
    const demo = at - this.clock.start;
    const real = `${(demo / this.clock.speed / 1000).toFixed(1)}s`;
    this.out(`${stamp(demo)} ${real.padStart(6)}  ${tag.padEnd(8)} ${text}\n`);
  }

  notification(n: Notification): void {
    const rule = n.labels.alertname ?? '';
    if (n.kind === 'firing') this.fired.set(rule, (this.fired.get(rule) ?? 0) + 1);
    // Alert pages name the rule and severity; outage steps (SLA, restore) speak for themselves.
    const outageStep = n.kind === 'sla_warning' || n.kind === 'sla_breach' || n.kind === 'sla_restored';
    const text = outageStep ? n.summary : `${rule} (${n.severity}): ${n.annotations.summary ?? n.summary}`;
    this.line(TAGS[n.kind], text);
  }

  outageOpened(o: OutageLine): void {
    const started = Date.parse(o.startedAt);
    const warn = o.sla.warnAtSeconds.map((s) => formatDuration(s * 1000)).join(' and ');
    this.line('OUTAGE', `${o.service} opened, down since ${stamp(started - this.clock.start)}; `
      + `SLA clock: ${formatDuration(o.sla.recoveryTargetSeconds * 1000)} to restore${warn ? `, warnings at ${warn}` : ''}`);
  }

  summary(outages: readonly OutageLine[]): void {
    const fired = [...this.fired].map(([rule, n]) => (n > 1 ? `${rule} ×${n}` : rule));
    this.out(`\nAlerts fired: ${fired.length ? fired.join(', ') : 'none'}\n`);
    this.out(`Outages (recovery target ${outages[0] ? formatDuration(outages[0].sla.recoveryTargetSeconds * 1000) : '30m'}):\n`);
    if (outages.length === 0) this.out('  none\n');
    for (const o of [...outages].sort((a, b) => a.startedAt.localeCompare(b.startedAt))) {
      const verdict = o.state === 'open' ? 'still open' : o.sla.met ? 'restored, target met' : 'restored, target missed';
      this.out(`  ${o.service.padEnd(26)} ${formatDuration(Math.round(o.durationSeconds) * 1000).padStart(7)}  ${verdict}\n`);
    }
  }
}

/** T+mm:ss of demo time; minutes keep counting past 59. */
export function stamp(demoMs: number): string {
  const s = Math.max(0, Math.floor(demoMs / 1000));
  return `T+${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
