import { RE2JS } from 're2js';

/**
 * A regular expression run by RE2 (re2js, pure JavaScript): matching takes
 * time linear in the input, whatever the pattern. V8's backtracking engine
 * takes seconds on `(a+)+b` against forty `a`s and a `c`, and a tag value
 * pushed to /api/v1/ingest or an interface name from a device is outside
 * input. Every pattern written in config or rule files goes through here.
 */
export interface LinearRegex {
  readonly source: string;
  test(input: string): boolean;
}

/**
 * Compiles `pattern`; `whole: true` anchors it at both ends (`^(?:p)$`, as
 * PromQL matchers and Alertmanager's match_re do). Returns why it cannot be
 * used instead: a syntax error, or a construct RE2 has no linear-time way to
 * run (backreferences such as `\1`, lookahead and lookbehind).
 */
export function compileLinearRegex(pattern: string, opts: { whole?: boolean } = {}): LinearRegex | string {
  try {
    const re = RE2JS.compile(opts.whole ? `^(?:${pattern})$` : pattern);
    return { source: pattern, test: (input) => re.test(input) };
  } catch (err) {
    return refusal(pattern, err);
  }
}

/** The same, for code that has already checked the pattern at load (config schemas call `regexProblem`). */
export function linearRegex(pattern: string, opts: { whole?: boolean } = {}): LinearRegex {
  const re = compileLinearRegex(pattern, opts);
  if (typeof re === 'string') throw new Error(re);
  return re;
}

/** Why `pattern` cannot be used, or undefined when it can. */
export function regexProblem(pattern: string): string | undefined {
  const re = compileLinearRegex(pattern);
  return typeof re === 'string' ? re : undefined;
}

const UNSUPPORTED: Array<[RegExp, string]> = [
  [/\\[1-9]|\\k</, 'backreferences'],
  [/\(\?<?[=!]/, 'lookahead and lookbehind'],
];

function refusal(pattern: string, err: unknown): string {
  const why = (err as Error).message;
  for (const [construct, name] of UNSUPPORTED) {
    if (construct.test(pattern)) {
      return `regular expression "${pattern}" uses ${name}, which the linear-time engine (RE2) cannot run: ${why}`;
    }
  }
  return `bad regular expression "${pattern}": ${why}`;
}
