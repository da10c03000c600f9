import type { CompiledRule } from './rule.js';
import { entriesOf, type EntryPlan, type SeriesAlert } from './series-alert.js';
import type { Ring } from './ring.js';
import type { Window } from './window.js';
import type { RuleModel } from './model.js';
import type { ReadPlan } from './read-plan.js';

/** The rule engine's state (engine.ts), updated in place by evaluate and tick. */
export interface EngineState {
  readonly rules: readonly CompiledRule[];
  readonly byMeasurement: ReadonlyMap<string, readonly CompiledRule[]>;
  /** Series key → its feeds: one window per distinct (field, aggregation, window) the rules that select it need. */
  readonly series: Map<string, SeriesFeeds>;
  /** The tags object that bound a series → that series, so its key is not built again at every sample (engine.ts seriesFor). */
  readonly byTags: WeakMap<Readonly<Record<string, string>>, SeriesFeeds>;
  /** Entries that a timer may change: pending, clearing, or watched for no_data. */
  readonly timed: Set<SeriesAlert>;
  /** Rule name → its firing entries, for depends_on. */
  readonly firing: Map<string, Set<SeriesAlert>>;
  /** Read plans (read-plan.ts) by their series' feed ids in order: series with the same rules share one. */
  readonly plans: Map<string, ReadPlan>;
  /** Entry plans (series-alert.ts) by the measurement and its selected rules' places, in feed order: series of the same rules share one. */
  readonly entryPlans: Map<string, EntryPlan>;
  nextDeadline: number;
}

/** What the engine keeps of one series, and until when (silent-series.ts forgets it then). */
export interface SeriesFeeds {
  /** Its key in EngineState.series (core/sample.ts seriesKey). */
  readonly key: string;
  readonly measurement: string;
  /** The tags that bound it (its entries' labels start from them). */
  readonly tags: Readonly<Record<string, string>>;
  /** Set when dropSeries (the one way out of EngineState.series) removes it, so a tags object that still names it in `byTags` binds afresh. */
  dropped: boolean;
  readonly feeds: Feed[];
  /** The rings its windows keep their samples in, one per window span (ring.ts); a detached window adds one. */
  readonly rings: Ring[];
  /** Which fields of a sample it reads and which field filters it checks (read-plan.ts), shared with series of the same rules. */
  readonly plan: ReadPlan;
  /** Which rule each of its entries watches through which feed (series-alert.ts), shared with series of the same rules. */
  readonly entries: EntryPlan;
  /** Its entries kept as objects, by index: those that left inactive, are timed or were restored (series-alert.ts entryOf). */
  alerts: (SeriesAlert | undefined)[] | undefined;
  /** Its feeds' running sums (2 a feed, by slot), then its entries' numbers (series-alert.ts): one typed array, no boxed doubles. */
  readonly numbers: Float64Array;
  /** Epoch ms after which the series is forgotten unless a sample comes (or a window still counts one); Infinity: never. */
  expiresAt: number;
  /** The scope texts of its KPI readings, by the rule's `scope` (scope-text.ts); built at the first /metrics scrape. */
  scopes?: Map<readonly string[], string>;
}

/**
 * One window of one series shared by every rule that aggregates it the same
 * way (a warning and a critical rule on the same field), so the value is
 * pushed and aggregated once and only compared per rule.
 *
 * A feed is its window (its running sums sit in the series' numbers, its
 * samples in the series' ring for its span, ring.ts), and what it aggregates is
 * read from the first of its rules, which all agree on it: 9 feeds a polled interface, each a separate window object and seven
 * copied fields before, were 0.9 KiB per series (bench/rules-memory.bench.mjs).
 */
export class Feed implements Window {
  ring: Ring | null = null;
  /**
   * Its ring columns (`num`, `den` + 1) and a one-sample window's `count`
   * in one small integer: as three fields they were 24 bytes a feed, 216 an
   * interface (bench/rules-memory.bench.mjs). Starts as num 1, den -1, count 0.
   */
  private bits = 1;
  /** Its series; set once by the engine when it binds the series. */
  series!: SeriesFeeds;

  constructor(
    /** The first rule of the feed; the others aggregate the same field the same way. */
    readonly rule: CompiledRule,
    /** A trend or baseline rule's memory; such a rule has a feed of its own. */
    readonly model: RuleModel | undefined,
    /** Its place in its series' `feeds`. */
    readonly slot: number,
  ) {}

  get num(): number { return this.bits & COLUMN; }
  set num(v: number) { this.bits = (this.bits & ~COLUMN) | column(v); }
  get den(): number { return ((this.bits >> DEN) & COLUMN) - 1; }
  set den(v: number) { this.bits = (this.bits & ~(COLUMN << DEN)) | (column(v + 1) << DEN); }
  get count(): number { return this.bits >>> COUNT; }
  set count(v: number) { this.bits = v === 0 ? this.bits & ~(1 << COUNT) : this.bits | (1 << COUNT); }
  get ratio(): boolean { return this.rule.denominator !== undefined; }

  // The running sums live in the series' numbers: as fields, V8 would box each in a 16-byte heap number.
  get sum(): number { return this.series.numbers[2 * this.slot]!; }
  set sum(v: number) { this.series.numbers[2 * this.slot] = v; }
  get sumDen(): number { return this.series.numbers[2 * this.slot + 1]!; }
  set sumDen(v: number) { this.series.numbers[2 * this.slot + 1] = v; }
  get window(): Window { return this; }
  get field(): string { return this.rule.field; }
  get denominator(): string | undefined { return this.rule.denominator; }
  get agg(): CompiledRule['agg'] { return this.rule.agg; }
  get overMs(): number { return this.rule.overMs; }
  get samples(): number { return this.rule.samples; }
  /** Least denominator sum over the window for a ratio to have a value (KPI catalogue). */
  get minVolume(): number { return this.rule.minVolume; }
  get filters(): CompiledRule['fieldFilters'] { return this.rule.fieldFilters; }
  /** Its entries, to read (series-alert.ts entriesOf): built at each call, the kept ones as they are. */
  get entries(): SeriesAlert[] { return entriesOf(this.series, this.slot); }
}

/** A ring column fits in 14 bits (a ring of 16,383 fields of one span on one series is not a network KPI); the count of a one-sample window is 0 or 1. */
const COLUMN = 0x3fff;
const DEN = 14;
const COUNT = 28;

function column(v: number): number {
  if (v < 0 || v > COLUMN) throw new RangeError(`ring column ${v} out of 0..${COLUMN}`);
  return v;
}
