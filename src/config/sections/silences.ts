import { z } from 'zod';
import { duration } from '../duration-schema.js';

const YEAR = 365 * 86_400_000;

/**
 * The `silences:` section: limits on silences created through the API.
 *
 *   silences:
 *     max_ahead: 365d   # a silence (or the last start of a recurring one) ends at most this far from now
 *
 * Without it a typo such as `duration: 999999999999999h` would mute an alert
 * for good, and an end past what a date can hold cannot even be listed.
 */
export const silences = z
  .strictObject({
    /** How far from now an API silence may end (`endsAt`, `startsAt` + `duration`, `until`). Default 365d. */
    max_ahead: duration({ min: 60_000 }).default(YEAR),
  })
  .default({ max_ahead: YEAR });

export const DEFAULT_SILENCE_MAX_AHEAD = YEAR;
