import { KpidError } from '../core/errors.js';

/** What a reload would change that matters for refusing it. */
export interface ReloadShape {
  readonly targets: readonly { readonly name: string }[];
  /** Alert rules loaded. */
  readonly rules: number;
}

/**
 * A reload that kpid refuses unless the operator forces it: the new config
 * parsed, but looks like an accident (a file truncated by an editor's save
 * racing SIGHUP, a rules glob that no longer matches). Applying it would
 * stop monitoring most targets and could close open outages as restored.
 */
export class ReloadRefused extends KpidError {
  constructor(message: string) {
    super('reload_refused', message);
    this.name = 'ReloadRefused';
  }
}

/** Why the change from `running` to `next` needs `force`, or undefined when it may apply. */
export function reloadRefusal(running: ReloadShape, next: ReloadShape): string | undefined {
  const kept = new Set(next.targets.map((t) => t.name));
  const removed = running.targets.filter((t) => !kept.has(t.name)).length;
  const how = 'force it with POST /api/v1/reload?force=1 if this is intended (SIGHUP cannot force)';
  if (removed * 2 > running.targets.length) {
    return `the new config removes ${removed} of ${running.targets.length} targets (more than half); ${how}`;
  }
  if (running.rules > 0 && next.rules === 0) {
    return `the new config loads no alert rules where ${running.rules} run now; ${how}`;
  }
  return undefined;
}
