import type { SeriesFeeds } from './engine-state.js';

/**
 * The scope of a KPI reading (the values of the rule's `scope` tags joined
 * by "/", or "all"), kept on its series: the rules of one series mostly
 * share a scope, so each distinct text is built once per series and the
 * same string is handed out after that.
 */
export function scopeText(series: SeriesFeeds, scope: readonly string[], tags: Readonly<Record<string, string>>): string {
  const known = (series.scopes ??= new Map());
  let text = known.get(scope);
  if (text !== undefined) return text;
  text = scope.map((t) => tags[t] ?? '').join('/') || 'all';
  // Rules with equal scopes have arrays of their own: one string for all of them.
  for (const other of known.values()) if (other === text) text = other;
  known.set(scope, text);
  return text;
}
