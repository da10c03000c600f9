import { feedsOf, type EngineState } from './engine.js';
import { loadModel, saveModel } from './model.js';

/**
 * The trend and baseline rules' memory as key → body pairs, for the state
 * store (core/rule-memory.ts) and for a rule reload. The key is the rule's
 * name and the series key; the body says its kind and bucket shape, so a
 * rule whose window changed starts afresh instead of misreading old buckets.
 */
const SEP = '\u0000';

/** Models changed since their last save (all of them with `all`), as store entries; saving marks them clean. */
export function exportModels(state: EngineState, all = false): { key: string; body: string }[] {
  const out: { key: string; body: string }[] = [];
  for (const [series, bound] of state.series) {
    for (const f of bound.feeds) {
      if (f.model === undefined || (!all && !f.model.buckets.dirty)) continue;
      out.push({ key: `${f.rule.name}${SEP}${series}`, body: saveModel(f.model) });
    }
  }
  return out;
}

/** Puts saved models back; those of rules no longer loaded, or saved in another shape, are skipped. Returns how many loaded. */
export function importModels(state: EngineState, saved: Iterable<readonly [string, string]>): number {
  const byName = new Map(state.rules.filter((r) => r.trend || r.baseline).map((r) => [r.name, r]));
  let loaded = 0;
  for (const [key, body] of saved) {
    const cut = key.indexOf(SEP);
    const rule = byName.get(key.slice(0, cut));
    if (cut < 0 || !rule) continue;
    const feed = feedsOf(state, key.slice(cut + 1)).find((f) => f.model !== undefined && f.rule === rule);
    if (feed && loadModel(feed.model!, body)) loaded++;
  }
  return loaded;
}
