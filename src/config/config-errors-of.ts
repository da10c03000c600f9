import { ConfigError } from './config-error.js';
import { parseConfig } from './load.js';

/** The error lines a config text is rejected with; throws if it is accepted. For tests of config sections. */
export function configErrorsOf(text: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfig('kpid.yaml', text, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split('\n');
    throw err;
  }
  throw new Error('config was accepted');
}
