import { describe, expect, it } from 'vitest';
import { heapChoice } from './heap-mode.js';

describe('the heap a daemon runs with', () => {
  it('is compact by default: --optimize-for-size, which lowers no heap limit', () => {
    expect(heapChoice([], {})).toMatchObject({ mode: 'compact', flags: ['--optimize-for-size'] });
    expect(heapChoice(['--enable-source-maps'], { NODE_OPTIONS: '--dns-result-order=ipv4first', KPID_HEAP: 'compact' }).flags).toEqual(['--optimize-for-size']);
  });

  it('never sets a cap on the old space: a network that needs more heap must not crash the daemon', () => {
    expect(heapChoice([], {}).flags.join(' ')).not.toMatch(/max[-_]old|max[-_]heap/);
  });

  it.each([
    ['KPID_HEAP=default', [], { KPID_HEAP: 'default' }],
    ['a heap flag in NODE_OPTIONS', [], { NODE_OPTIONS: '--max-old-space-size=8192' }],
    ['the opposite flag in NODE_OPTIONS', [], { NODE_OPTIONS: '--trace-gc --no-optimize-for-size' }],
    ['a heap flag on node\'s command line, spelt with underscores', ['--max_semi_space_size=64'], {}],
  ] as const)('is left to V8 as set when the operator says so: %s', (_what, argv, env) => {
    expect(heapChoice(argv, env)).toMatchObject({ mode: 'default', flags: [] });
  });

  it('a KPID_HEAP it does not know keeps the compact heap and says so', () => {
    expect(heapChoice([], { KPID_HEAP: 'small' })).toMatchObject({ mode: 'compact', why: expect.stringContaining('"small"') });
  });
});
