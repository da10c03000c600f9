/**
 * What the trend and baseline rules have learnt (daily means, weeks of
 * hourly means per series), kept across restarts: without it a baseline
 * rule would be blind for weeks after each restart. The rules stage saves
 * and loads it through this shape; the state store keeps it (SQLite, or
 * Redis in a cluster). Keys and bodies are the rules stage's own.
 */
export interface RuleMemory {
  /** Everything saved: key → body. */
  ruleMemory(): Promise<Map<string, string>>;
  /** Writes these entries (replacing same keys) and forgets entries not saved since `forgetBefore`. */
  saveRuleMemory(entries: readonly { readonly key: string; readonly body: string }[], at: number, forgetBefore: number): Promise<void>;
}
