import { describe, expect, it } from 'vitest';
import { heapChoice } from './heap-mode.js';

describe('the heap a daemon runs with', () => {
  it("is V8's default unless asked: kpid sets no flag", () => {
    expect(heapChoice([], {})).toMatchObject({ mode: 'default', flags: [] });
    expect(heapChoice(['--enable-source-maps'], { NODE_OPTIONS: '--dns-result-order=ipv4first', KPID_HEAP: 'default' })).toMatchObject({ mode: 'default', flags: [] });
  });

  it('is compact with KPID_HEAP=compact: --optimize-for-size, which lowers no heap limit', () => {
    expect(heapChoice(['--enable-source-maps'], { NODE_OPTIONS: '--dns-result-order=ipv4first', KPID_HEAP: ' compact ' })).toMatchObject({ mode: 'compact', flags: ['--optimize-for-size'] });
  });

  it('never sets a cap on the old space: a network that needs more heap must not crash the daemon', () => {
    for (const KPID_HEAP of [undefined, 'compact', 'default']) {
      expect(heapChoice([], { KPID_HEAP }).flags.join(' ')).not.toMatch(/max[-_]old|max[-_]heap/);
    }
  });

  it.each([
    ['a heap flag in NODE_OPTIONS', [], { NODE_OPTIONS: '--max-old-space-size=8192', KPID_HEAP: 'compact' }],
    ['the opposite flag in NODE_OPTIONS', [], { NODE_OPTIONS: '--trace-gc --no-optimize-for-size', KPID_HEAP: 'compact' }],
    ['a heap flag on node\'s command line, spelt with underscores', ['--max_semi_space_size=64'], { KPID_HEAP: 'compact' }],
  ] as const)('is left to V8 as set when the operator gives heap flags, KPID_HEAP or not: %s', (_what, argv, env) => {
    expect(heapChoice(argv, env)).toMatchObject({ mode: 'default', flags: [], why: expect.stringContaining('heap flags given to node') });
  });

  it('a KPID_HEAP it does not know keeps V8\'s defaults and says so', () => {
    expect(heapChoice([], { KPID_HEAP: 'small' })).toMatchObject({ mode: 'default', flags: [], why: expect.stringContaining('"small"') });
  });
});
