import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config-error.js';
import { parseConfig } from '../load.js';

/** These configs only receive (no targets), which a config must say. */
const RECEIVE_ONLY = 'allow_empty_targets: true\n';

function errorsOf(text: string): string[] {
  try {
    parseConfig('kpid.yaml', text + RECEIVE_ONLY, {});
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split('\n');
    throw err;
  }
  throw new Error('config was accepted');
}

describe('config maintenance: windows', () => {
  it('a recurring window with a duration and a one-off window with to: parse to epoch ms', () => {
    const cfg = parseConfig('kpid.yaml', [
      'maintenance:',
      '  - name: bj-weekly',
      '    match: { site: beijing-dc1 }',
      '    from: 2026-01-04T02:00:00+08:00',
      '    duration: 2h',
      '    every: 1w',
      '    until: "2026-07-01T00:00:00Z"',
      '    comment: weekly patching',
      '  - { match: { target: core-1 }, from: "2026-02-01T00:00:00Z", to: "2026-02-01T06:00:00Z" }',
      '',
    ].join('\n') + RECEIVE_ONLY, {});
    expect(cfg.maintenance).toEqual([
      { name: 'bj-weekly', match: { site: 'beijing-dc1' }, from: Date.UTC(2026, 0, 3, 18), to: Date.UTC(2026, 0, 3, 20), duration: 7_200_000,
        every: 604_800_000, until: Date.UTC(2026, 6, 1), comment: 'weekly patching' },
      { match: { target: 'core-1' }, from: Date.UTC(2026, 1, 1), to: Date.UTC(2026, 1, 1, 6) },
    ]);
  });

  it.each([
    ['a time without a zone', '{ match: { site: a }, from: "2026-01-04T02:00:00", duration: 1h }', /maintenance\.0\.from: "2026-01-04T02:00:00" is not an RFC 3339 time with a zone/],
    ['neither to nor duration', '{ match: { site: a }, from: "2026-01-04T02:00:00Z" }', /maintenance\.0\.to: give an end time \(to\) or a length \(duration\)/],
    ['both to and duration', '{ match: { site: a }, from: "2026-01-04T02:00:00Z", to: "2026-01-04T03:00:00Z", duration: 1h }', /maintenance\.0\.duration: give either to or duration, not both/],
    ['an end before the start', '{ match: { site: a }, from: "2026-01-04T02:00:00Z", to: "2026-01-04T01:00:00Z" }', /maintenance\.0\.to: to must be after from/],
    ['a window longer than its period', '{ match: { site: a }, from: "2026-01-04T02:00:00Z", duration: 2d, every: 1d }', /maintenance\.0\.every: a window of 2d cannot repeat every 1d/],
    ['until on a one-off window', '{ match: { site: a }, from: "2026-01-04T02:00:00Z", duration: 1h, until: "2026-02-01T00:00:00Z" }', /maintenance\.0\.until: until applies to recurring windows/],
    ['no labels to match', '{ match: {}, from: "2026-01-04T02:00:00Z", duration: 1h }', /maintenance\.0\.match: give at least one label/],
    ['a misspelt key', '{ match: { site: a }, from: "2026-01-04T02:00:00Z", duration: 1h, evry: 1w }', /maintenance\.0\.evry: unknown key "evry"; did you mean "every"\?/],
  ])('%s is a located config error naming the key', (_name, window, message) => {
    const errors = errorsOf(`maintenance:\n  - ${window}\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^kpid\.yaml:2:\d+: /);
    expect(errors[0]).toMatch(message);
  });

  it('two windows with one name are an error at the second', () => {
    const w = '{ name: x, match: { site: a }, from: "2026-01-04T02:00:00Z", duration: 1h }';
    expect(errorsOf(`maintenance:\n  - ${w}\n  - ${w}\n`)).toEqual([expect.stringMatching(/^kpid\.yaml:3:\d+: maintenance\.1\.name: duplicate window name "x" \(first used by maintenance\.0\)/)]);
  });
});
