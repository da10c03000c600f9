import type { CompiledRule } from './rule.js';
import type { SeriesAlert } from './series-alert.js';
import type { Window } from './window.js';
import type { RuleModel } from './model.js';

/** The rule engine's state (engine.ts), updated in place by evaluate and tick. */
export interface EngineState {
  readonly rules: readonly CompiledRule[];
  readonly byMeasurement: ReadonlyMap<string, readonly CompiledRule[]>;
  /** Series key → its feeds: one window per distinct (field, aggregation, window) the rules that select it need. */
  readonly series: Map<string, SeriesFeeds>;
  /** Entries that a timer may change: pending, clearing, or watched for no_data. */
  readonly timed: Set<SeriesAlert>;
  /** Rule name → its firing entries, for depends_on. */
  readonly firing: Map<string, Set<SeriesAlert>>;
  nextDeadline: number;
}

/** What the engine keeps of one series, and until when (silent-series.ts forgets it then). */
export interface SeriesFeeds {
  readonly feeds: Feed[];
  /** Epoch ms after which the series is forgotten unless a sample comes (or a window still counts one); Infinity: never. */
  expiresAt: number;
  /** The scope texts of its KPI readings, by the rule's `scope` (scope-text.ts); built at the first /metrics scrape. */
  scopes?: Map<readonly string[], string>;
}

/**
 * One window of one series shared by every rule that aggregates it the same
 * way (a warning and a critical rule on the same field), so the value is
 * pushed and aggregated once and only compared per rule.
 */
export interface Feed {
  readonly field: string;
  readonly denominator: string | undefined;
  readonly agg: CompiledRule['agg'];
  readonly overMs: number;
  readonly samples: number;
  /** Least denominator sum over the window for a ratio to have a value (KPI catalogue). */
  readonly minVolume: number;
  readonly filters: CompiledRule['fieldFilters'];
  readonly window: Window;
  /** A trend or baseline rule's memory; such a rule has a feed of its own. */
  readonly model: RuleModel | undefined;
  readonly entries: SeriesAlert[];
}
