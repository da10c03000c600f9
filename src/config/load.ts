import { closeSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { errorMessage } from '../core/errors.js';
import { ConfigError, type ConfigIssue } from './config-error.js';
import { withPathsResolved } from './config-paths.js';
import { configSchema, type KpidConfigParsed } from './schema.js';
import { YamlSource } from './yaml-source.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** A validated configuration: deeply frozen, with the file it came from. */
export type KpidConfig = Readonly<KpidConfigParsed> & { readonly file: string };

/**
 * Largest config or rule file read, bytes. A config for 10,000 targets is
 * about 2 MiB; the cap stops `-c /dev/zero` or a runaway generator from
 * being read without end.
 */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/** Reads a file for config, turning a read failure or an oversized file into a located issue. */
export function readConfigText(file: string, maxBytes = MAX_CONFIG_BYTES): string {
  const fail = (message: string) => new ConfigError([{ file, line: 1, col: 1, path: '', message }]);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw fail(`cannot read file: ${errorMessage(err)}`);
  }
  try {
    // Read by hand rather than readFileSync: a device or pipe reports no size, and must still stop at the cap.
    const buf = Buffer.alloc(Math.min(maxBytes + 1, 1024 * 1024));
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw fail(`file is larger than ${maxBytes} bytes; is -c pointing at the right file?`);
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw fail(`cannot read file: ${errorMessage(err)}`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Loads and validates `file`. Throws a ConfigError listing every problem
 * found (syntax, missing environment variables, schema), never just the first.
 */
export function loadConfig(file: string, env: Env = process.env, opts: ParseOptions = {}): KpidConfig {
  return parseConfig(file, readConfigText(file), env, opts);
}

export interface ParseOptions {
  /**
   * Whether a config without targets is an error unless it says
   * `allow_empty_targets: true`. Default true: kpid run, reload and
   * check-config; `kpid report` reads a config for its stores only.
   */
  readonly requireTargets?: boolean;
}

export function parseConfig(file: string, text: string, env: Env = process.env, opts: ParseOptions = {}): KpidConfig {
  const source = new YamlSource(file, text);
  const syntax = source.syntaxIssues();
  if (syntax.length) throw new ConfigError(syntax);
  if (source.doc.contents === null) {
    // An editor's save racing a reload leaves an empty file; it must never read as "monitor nothing".
    throw new ConfigError([{ file, line: 1, col: 1, path: '', message: 'the config file is empty (or only comments); nothing was loaded' }]);
  }
  const envIssues = source.substituteEnv(env);
  const { value, issues } = source.validate(configSchema);
  if (value && value.targets.length === 0 && !value.allow_empty_targets && opts.requireTargets !== false) {
    issues.push(source.issue(['targets'], 'no targets; a config without any is refused so that a truncated file never stops monitoring. '
      + 'For a kpid that only receives ingest or traps, set allow_empty_targets: true'));
  }
  const all: ConfigIssue[] = [...envIssues, ...issues].sort((a, b) => a.line - b.line || a.col - b.col);
  if (all.length || !value) throw new ConfigError(all);
  return deepFreeze({ ...withPathsResolved(value, file), file: resolve(file) });
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
