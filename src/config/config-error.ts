import { KpidError } from '../core/errors.js';

/** One problem in a config or rule file, located for the editor. */
export interface ConfigIssue {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** Dotted path of the key at fault, e.g. `targets.2.snmp.timeout`. */
  readonly path: string;
  readonly message: string;
}

export function formatIssue(i: ConfigIssue): string {
  return `${i.file}:${i.line}:${i.col}: ${i.path || '(top level)'}: ${i.message}`;
}

/** A configuration that was rejected, with every problem found in it. */
export class ConfigError extends KpidError {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super('config_invalid', issues.map(formatIssue).join('\n'), { errors: issues.length });
    this.name = 'ConfigError';
  }
}
