import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

describe('durations as written in config', () => {
  it.each([
    ['500ms', 500], ['30s', 30_000], ['5m', 300_000], ['1h30m', 5_400_000], ['7d', 604_800_000], ['1.5s', 1_500],
  ])('%s is %i ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '30', '-5s', '5 m', '5x', 's'])('"%s" is not a duration', (text) => expect(parseDuration(text)).toBeUndefined());

  it('formats back the way config writes them', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(-90_000)).toBe('-1m30s');
  });
});
