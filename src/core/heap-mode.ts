/**
 * The V8 heap a daemon runs with (issue 15, docs/configuration.md "Memory").
 *
 * V8's defaults, unless the operator asks for the compact heap. Since the
 * daemon stopped making most of its garbage (counters in typed arrays, rule
 * entries as numbers, the rollup's cells kept), V8's defaults held 10,000
 * interfaces in about 11 % more RSS than `--optimize-for-size` and did the
 * same polls on 0.6 of its CPU, in 30-minute soaks side by side
 * (docs/PERFORMANCE.md, "Heap: V8's defaults against the compact heap"):
 * the compact heap collects its ~90 MiB of kept state over and over, and an
 * operator sizes a poller by interfaces per core as much as by memory.
 *
 * KPID_HEAP=compact sets `--optimize-for-size` at start, for a host short
 * of memory. Neither choice lowers a limit: the heap may grow to V8's
 * default maximum (`heap_size_limit`), so a daemon whose state legitimately
 * needs more is never killed by it. `--max-old-space-size` would cap the
 * heap and turn a bigger network into an out-of-memory crash, so kpid never
 * sets it. Heap flags of the operator's own (NODE_OPTIONS or node's command
 * line) win: kpid then sets nothing.
 */
export type HeapMode = 'compact' | 'default';

/** V8 flags that say the operator chose the heap's shape themselves (`-` and `_` are the same to V8). */
const OPERATOR_HEAP_FLAG = /--(no-)?(optimize[-_]for[-_]size|max[-_]semi[-_]space[-_]size|min[-_]semi[-_]space[-_]size|max[-_]old[-_]space[-_]size|max[-_]heap[-_]size|heap[-_]growing[-_]percent)\b/;

export interface HeapChoice {
  readonly mode: HeapMode;
  /** The V8 flags to set at start (none when the operator chose). */
  readonly flags: readonly string[];
  /** Why, for the start-up log line. */
  readonly why: string;
}

/** What heap to run with, from node's own flags and the environment. */
export function heapChoice(execArgv: readonly string[], env: Readonly<Record<string, string | undefined>>): HeapChoice {
  const given = [...execArgv, env.NODE_OPTIONS ?? ''].find((a) => OPERATOR_HEAP_FLAG.test(a));
  if (given !== undefined) return { mode: 'default', flags: [], why: `heap flags given to node (${OPERATOR_HEAP_FLAG.exec(given)![0]}): V8 left as set` };
  const asked = env.KPID_HEAP?.trim();
  if (asked === 'compact') return { mode: 'compact', flags: ['--optimize-for-size'], why: 'KPID_HEAP=compact: compact heap (--optimize-for-size)' };
  if (asked !== undefined && asked !== '' && asked !== 'default') {
    return { mode: 'default', flags: [], why: `KPID_HEAP="${asked}" is neither compact nor default: V8 defaults` };
  }
  return { mode: 'default', flags: [], why: "V8's default heap; KPID_HEAP=compact for a smaller one" };
}
