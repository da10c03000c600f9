/**
 * The V8 heap a daemon runs with (issue 15, docs/configuration.md "Memory").
 *
 * V8 sizes its heap for a browser tab's bursts: at 10,000 interfaces it let
 * the old space grow to 500–750 MiB of garbage between collections, where
 * the state kpid keeps is ~100 MiB. `--optimize-for-size` makes V8 grow the
 * heap by small steps and collect sooner: RSS stays near the kept state, for
 * some CPU. It lowers no limit: the heap may still grow to V8's default
 * maximum (`heap_size_limit`), so a daemon whose state legitimately needs
 * more is never killed by this choice. `--max-old-space-size` would cap the
 * heap and turn a bigger network into an out-of-memory crash, so kpid never
 * sets it.
 *
 * The operator decides otherwise with KPID_HEAP=default, or by giving any
 * heap flag of their own (NODE_OPTIONS or node's command line): kpid then
 * leaves V8 as it is.
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
  if (asked === 'default') return { mode: 'default', flags: [], why: 'KPID_HEAP=default: V8 defaults' };
  if (asked !== undefined && asked !== '' && asked !== 'compact') {
    return { mode: 'compact', flags: ['--optimize-for-size'], why: `KPID_HEAP="${asked}" is neither compact nor default: compact` };
  }
  return { mode: 'compact', flags: ['--optimize-for-size'], why: 'compact heap (--optimize-for-size); KPID_HEAP=default for V8 defaults' };
}
