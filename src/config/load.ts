import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { errorMessage } from '../core/errors.js';
import { ConfigError, type ConfigIssue } from './config-error.js';
import { configSchema, type KpidConfigParsed } from './schema.js';
import { YamlSource } from './yaml-source.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** A validated configuration: deeply frozen, with the file it came from. */
export type KpidConfig = Readonly<KpidConfigParsed> & { readonly file: string };

/** Reads a file for config, turning a read failure into a located issue. */
export function readConfigText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ file, line: 1, col: 1, path: '', message: `cannot read file: ${errorMessage(err)}` }]);
  }
}

/**
 * Loads and validates `file`. Throws a ConfigError listing every problem
 * found (syntax, missing environment variables, schema), never just the first.
 */
export function loadConfig(file: string, env: Env = process.env): KpidConfig {
  return parseConfig(file, readConfigText(file), env);
}

export function parseConfig(file: string, text: string, env: Env = process.env): KpidConfig {
  const source = new YamlSource(file, text);
  const syntax = source.syntaxIssues();
  if (syntax.length) throw new ConfigError(syntax);
  const envIssues = source.substituteEnv(env);
  const { value, issues } = source.validate(configSchema);
  const all: ConfigIssue[] = [...envIssues, ...issues].sort((a, b) => a.line - b.line || a.col - b.col);
  if (all.length || !value) throw new ConfigError(all);
  return deepFreeze({ ...value, file: resolve(file) });
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
