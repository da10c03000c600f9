import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../core/clock.js';
import { formatDuration } from '../core/duration.js';
import { KpidError, errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { occurrence, silenceState, SilenceBook, type BookedSilence } from './silence-book.js';
import type { Silence, StateStore } from './state/state-store.js';
import type { UnreadableSilence } from './state/stored-silence.js';
import { DEFAULT_MAX_AHEAD, type MaintenanceWindowOptions, type SilenceOptions } from './alerts-options.js';

/** Expired API silences are listed (state "expired") for this long, then forgotten. */
const KEEP_EXPIRED = 7 * 86_400_000;

/** How often the store is re-read, so silences created through another cluster member count here too. */
const REFRESH = 15_000;

type Labels = Readonly<Record<string, string>>;

/** What the API asks for; the keeper gives it an id. */
export type NewSilence = Omit<Silence, 'id'>;

/**
 * The daemon's silences: a SilenceBook fed from two places. API silences
 * are written to the state store before they count, so they survive a
 * restart; `maintenance:` windows come from config and are replaced on
 * every reload. `isSilenced` and `isPlanned` are the hooks notify and the
 * outage ledger call.
 */
export class SilenceKeeper {
  readonly book = new SilenceBook();
  private store?: StateStore;
  private timer?: TimerHandle;
  /** Creates, deletes and re-reads run one at a time, so a re-read never undoes a change made meanwhile. */
  private chain: Promise<unknown> = Promise.resolve();
  /** Stored silences that could not be read at the last (re-)read: left out, logged once, listed by the API. */
  unreadable: UnreadableSilence[] = [];
  /** How far from now an API silence may end (config `silences.max_ahead`). */
  maxAhead = DEFAULT_MAX_AHEAD;

  constructor(private readonly clock: Clock, private readonly log?: Logger) {}

  /** Notify's hook: is an alert with these labels muted now? */
  readonly isSilenced = (labels: Labels): boolean => this.book.isSilenced(labels, this.clock.now());

  /** The outage ledger's hook: does an outage starting at `at` fall in planned maintenance? */
  readonly isPlanned = (labels: Labels, at: number): boolean => this.book.isPlanned(labels, at);

  /** The time silences are judged at (the API defaults startsAt to it). */
  now(): number {
    return this.clock.now();
  }

  /** Takes the config's windows and limit, replacing the previous config's. */
  configure(options: SilenceOptions): void {
    this.setMaintenance(options.maintenance);
    this.maxAhead = options.maxAhead;
  }

  /** Takes the config's windows, replacing the previous config's. */
  setMaintenance(windows: readonly MaintenanceWindowOptions[]): void {
    this.book.replaceMaintenance(windows.map((w, i) => ({
      id: `config:${w.name ?? `maintenance.${i}`}`,
      matchers: w.match,
      startsAt: w.from,
      endsAt: w.to,
      createdBy: 'config',
      maintenance: true,
      ...(w.every !== undefined ? { every: w.every } : {}),
      ...(w.until !== undefined ? { until: w.until } : {}),
      ...(w.comment !== undefined ? { comment: w.comment } : {}),
    })));
  }

  /**
   * Loads the API silences the store kept, forgetting those long expired,
   * then re-reads the store every 15 s (a shared Redis store carries other
   * cluster members' silences). Call before alerts resume.
   */
  async attach(store: StateStore): Promise<void> {
    this.store = store;
    this.book.replaceApi(await this.readStore(store));
    for (const s of this.book.expiredBefore(this.clock.now() - KEEP_EXPIRED)) {
      this.book.remove(s.id);
      await store.deleteSilence(s.id).catch((err) => this.log?.warn({ silence: s.id, err: errorMessage(err) }, 'could not forget an expired silence'));
    }
    this.scheduleRefresh();
  }

  /** Re-reads the API silences from the store; on failure the ones known keep counting. */
  refresh(): Promise<void> {
    return this.serial(async () => {
      if (!this.store) return;
      try {
        this.book.replaceApi(await this.readStore(this.store));
      } catch (err) {
        this.log?.warn({ err: errorMessage(err) }, 'could not re-read silences; the known ones still apply');
      }
    });
  }

  /** Stops re-reading the store (before it closes). */
  stop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.store = undefined;
  }

  /** The store's silences; unreadable rows are skipped, and each is logged the first time it is seen. */
  private async readStore(store: StateStore): Promise<Silence[]> {
    const bad: UnreadableSilence[] = [];
    const silences = await store.listSilences((b) => bad.push(b));
    const known = new Set(this.unreadable.map((b) => b.id));
    for (const b of bad) {
      if (!known.has(b.id)) this.log?.error({ silence: b.id, reason: b.reason }, 'a stored silence cannot be read; it is skipped (delete it with DELETE /api/v1/silences/:id)');
    }
    this.unreadable = bad;
    return silences;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private scheduleRefresh(): void {
    this.timer = this.clock.setTimeout(() => {
      void this.refresh().finally(() => {
        if (this.store) this.scheduleRefresh();
      });
    }, REFRESH);
  }

  /** Records a silence; it mutes from the moment this resolves. */
  create(input: NewSilence): Promise<BookedSilence> {
    return this.serial(async () => {
      const s: Silence = { ...input, id: randomUUID() };
      await this.requireStore().putSilence(s);
      const booked = this.book.put(s);
      this.log?.info({ silence: s.id, matchers: s.matchers, by: s.createdBy, startsAt: s.startsAt, endsAt: s.endsAt }, 'silence created');
      return booked;
    });
  }

  /** Deletes an API silence: 'deleted', 'unknown', or 'config' (a maintenance window is edited in the config file). */
  remove(id: string, by = 'api'): Promise<'deleted' | 'unknown' | 'config'> {
    return this.serial(async () => {
      const s = this.book.get(id);
      if (!s && this.unreadable.some((b) => b.id === id)) {
        await this.requireStore().deleteSilence(id);
        this.unreadable = this.unreadable.filter((b) => b.id !== id);
        this.log?.info({ silence: id, by }, 'unreadable silence deleted');
        return 'deleted';
      }
      if (!s) return 'unknown';
      if (s.source === 'config') return 'config';
      await this.requireStore().deleteSilence(id);
      this.book.remove(id);
      this.log?.info({ silence: id, by }, 'silence deleted');
      return 'deleted';
    });
  }

  get(id: string): SilenceView | undefined {
    const s = this.book.get(id);
    return s && silenceView(s, this.clock.now());
  }

  list(): SilenceView[] {
    const now = this.clock.now();
    return this.book.list().map((s) => silenceView(s, now));
  }

  private requireStore(): StateStore {
    if (!this.store) throw new KpidError('silences_not_ready', 'the state store is not open yet');
    return this.store;
  }
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** JSON shape of a silence in GET /api/v1/silences. Times are RFC 3339. */
export function silenceView(s: BookedSilence, now: number) {
  const o = occurrence(s, now);
  return {
    id: s.id,
    source: s.source,
    state: silenceState(s, now),
    matchers: s.matchers,
    maintenance: s.maintenance === true,
    startsAt: iso(s.startsAt),
    endsAt: iso(s.endsAt),
    every: s.every !== undefined ? formatDuration(s.every) : null,
    until: iso(s.until),
    /** The occurrence in force now, or the next one. */
    current: o ? { startsAt: iso(o.startsAt), endsAt: iso(o.endsAt) } : null,
    createdBy: s.createdBy,
    comment: s.comment ?? null,
  };
}

export type SilenceView = ReturnType<typeof silenceView>;
