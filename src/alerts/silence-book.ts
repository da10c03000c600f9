import type { Silence } from './state/state-store.js';

type Labels = Readonly<Record<string, string>>;

/** Where a silence came from: the API (kept in the state store) or `maintenance:` in config (replaced on reload). */
export type SilenceSource = 'api' | 'config';

/** A silence as the book holds it. */
export interface BookedSilence extends Silence {
  readonly source: SilenceSource;
}

export type SilenceState = 'pending' | 'active' | 'expired';

/** One occurrence of a silence: [startsAt, endsAt). */
export interface Occurrence {
  readonly startsAt: number;
  readonly endsAt: number;
}

/**
 * The occurrence of `s` that covers `at`, or else the next one to come, or
 * undefined when none is left. A one-off silence has one occurrence,
 * [startsAt, endsAt). A recurring one (`every`) repeats it every `every` ms
 * from startsAt, for occurrences that start before `until`. Periods are
 * fixed lengths of absolute time: a weekly window written in a zone with
 * daylight saving moves by an hour in local time when the clocks change.
 */
export function occurrence(s: Silence, at: number): Occurrence | undefined {
  if (!s.every) return at < s.endsAt ? { startsAt: s.startsAt, endsAt: s.endsAt } : undefined;
  const length = s.endsAt - s.startsAt;
  const until = s.until ?? Infinity;
  // Windows are no longer than their period, so `at` lies in occurrence k or before k + 1.
  const k = Math.max(0, Math.floor((at - s.startsAt) / s.every));
  for (const start of [s.startsAt + k * s.every, s.startsAt + (k + 1) * s.every]) {
    if (start >= until) return undefined;
    if (at < start + length) return { startsAt: start, endsAt: start + length };
  }
  return undefined;
}

export function silenceState(s: Silence, at: number): SilenceState {
  const o = occurrence(s, at);
  if (!o) return 'expired';
  return at >= o.startsAt ? 'active' : 'pending';
}

/** Every matcher is equal to the alert's label; a silence without matchers matches nothing. */
export function matches(s: Silence, labels: Labels): boolean {
  const entries = Object.entries(s.matchers);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/**
 * Which alerts are muted and which outages are planned, at a given time.
 * Pure: it holds silences and answers questions about them; persistence
 * and the clock belong to the caller (SilenceKeeper).
 *
 * - A silence mutes notification of matching alerts while an occurrence is active.
 * - A maintenance window (config `maintenance:`, or an API silence with
 *   `maintenance: true`) mutes too, and makes an outage that starts inside
 *   it planned: excluded from availability and reported apart.
 */
export class SilenceBook {
  private readonly api = new Map<string, BookedSilence>();
  private config: BookedSilence[] = [];

  /** Adds or replaces an API silence. */
  put(s: Silence): BookedSilence {
    const booked: BookedSilence = { ...s, source: 'api' };
    this.api.set(s.id, booked);
    return booked;
  }

  /** Replaces every API silence with those given (what the state store holds now). */
  replaceApi(silences: readonly Silence[]): void {
    this.api.clear();
    for (const s of silences) this.put(s);
  }

  remove(id: string): boolean {
    return this.api.delete(id);
  }

  get(id: string): BookedSilence | undefined {
    return this.api.get(id) ?? this.config.find((s) => s.id === id);
  }

  /** Replaces every window that came from config (a reload brings the new list). */
  replaceMaintenance(windows: readonly Silence[]): void {
    this.config = windows.map((w) => ({ ...w, maintenance: true, source: 'config' as const }));
  }

  /** Config windows first (in file order), then API silences by start. */
  list(): BookedSilence[] {
    return [...this.config, ...[...this.api.values()].sort((a, b) => a.startsAt - b.startsAt || a.id.localeCompare(b.id))];
  }

  /** API silences whose last occurrence ended before `before`. */
  expiredBefore(before: number): BookedSilence[] {
    return [...this.api.values()].filter((s) => occurrence(s, before) === undefined);
  }

  isSilenced(labels: Labels, at: number): boolean {
    return this.active(labels, at).length > 0;
  }

  isPlanned(labels: Labels, at: number): boolean {
    return this.active(labels, at).some((s) => s.maintenance === true);
  }

  /** The silences muting these labels at `at`. */
  active(labels: Labels, at: number): BookedSilence[] {
    return this.list().filter((s) => matches(s, labels) && silenceState(s, at) === 'active');
  }
}
