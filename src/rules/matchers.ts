import { compileLinearRegex } from '../core/linear-regex.js';

/**
 * Tag matchers, written in rule files as `tag: "value"` (equals) or with an
 * operator and a space in front: `"!= test"`, `"=~ core-.*"`, `"!~ ^lo"`.
 * Regexes are anchored at both ends, as in PromQL, and run by RE2 in linear
 * time (tag values can be pushed by anyone holding the API token).
 */
export interface TagMatcher {
  readonly tag: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
  test(tags: Readonly<Record<string, string>>): boolean;
}

const OPERATOR = /^(=~|!~|!=|=)\s(.*)$/s;

/** Parses one matcher, or returns why it cannot be used. */
export function parseMatcher(tag: string, written: string): TagMatcher | string {
  const m = OPERATOR.exec(written);
  const op = (m ? m[1] : '=') as TagMatcher['op'];
  const value = m ? m[2]! : written;
  if (op === '=' || op === '!=') {
    const eq = op === '=';
    // A missing tag reads as "", as in PromQL.
    return { tag, op, value, test: (tags) => ((tags[tag] ?? '') === value) === eq };
  }
  const re = compileLinearRegex(value, { whole: true });
  if (typeof re === 'string') return re;
  const want = op === '=~';
  return { tag, op, value, test: (tags) => re.test(tags[tag] ?? '') === want };
}
