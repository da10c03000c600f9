import type { z } from 'zod';
import type { KpidConfig } from '../config/load.js';
import { duration } from '../config/duration-schema.js';
import { checkTiming, matchLabels, timestamp, type MaintenanceWindow } from '../config/sections/maintenance.js';
import { DEFAULT_SILENCE_MAX_AHEAD } from '../config/sections/silences.js';
import type { flapping } from '../config/sections/flapping.js';
import type { FlapThresholds } from './flap-detector.js';

/**
 * What alerts runs on, in its own words: the validated `maintenance:`,
 * `silences:` and `flapping:` sections mapped once, here. Nothing else in
 * src/alerts/ reads the YAML names. Times are epoch ms, durations ms.
 */

/** One planned-work window from config `maintenance:`; it mutes and makes outages starting inside it planned. */
export interface MaintenanceWindowOptions {
  /** The window's id is `config:<name>`; unnamed: `config:maintenance.<index>`. */
  readonly name?: string | undefined;
  /** Label equality, at least one label. */
  readonly match: Readonly<Record<string, string>>;
  /** Start of the (first) occurrence, epoch ms. */
  readonly from: number;
  /** End of the (first) occurrence, epoch ms (config `to`, or `from` + `duration`). */
  readonly to: number;
  /** Period of a recurring window, counted from `from`, ms. None: one-off. */
  readonly every?: number | undefined;
  /** No occurrence starts after this, epoch ms. None: repeats for good. */
  readonly until?: number | undefined;
  readonly comment?: string | undefined;
}

/** The silences in force from config, replaced on every reload. */
export interface SilenceOptions {
  /** Config `maintenance:` windows. Default none. */
  readonly maintenance: readonly MaintenanceWindowOptions[];
  /** How far from now an API silence may end, ms (config `silences.max_ahead`). Default 365 days. */
  readonly maxAhead: number;
}

/** How far from now an API silence may end when config says nothing, ms: 365 days. */
export const DEFAULT_MAX_AHEAD = DEFAULT_SILENCE_MAX_AHEAD;

/** Options from the validated `maintenance:` and `silences:` sections. */
export function silenceOptions(cfg: Pick<KpidConfig, 'maintenance' | 'silences'>): SilenceOptions {
  return { maintenance: cfg.maintenance.map(maintenanceWindowOptions), maxAhead: cfg.silences.max_ahead };
}

function maintenanceWindowOptions(w: MaintenanceWindow): MaintenanceWindowOptions {
  return {
    ...(w.name !== undefined ? { name: w.name } : {}),
    match: w.match,
    from: w.from,
    to: w.to,
    ...(w.every !== undefined ? { every: w.every } : {}),
    ...(w.until !== undefined ? { until: w.until } : {}),
    ...(w.comment !== undefined ? { comment: w.comment } : {}),
  };
}

/** Flap thresholds from the validated `flapping:` section (defaults: window 30 min, start above 4, stop below 2). */
export function flapThresholds(cfg: z.output<typeof flapping>): FlapThresholds {
  return { window: cfg.window, startAbove: cfg.start_above, stopBelow: cfg.stop_below };
}

/**
 * The timing rules an API silence shares with a config `maintenance:`
 * window (RFC 3339 times, label matchers, end or length, period): one
 * definition, in config/, so the API and the file accept the same things.
 */
export const silenceTiming = { duration, checkTiming, matchLabels, timestamp };
