import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import type { ConfigIssue } from './config-error.js';
import { didYouMean } from './did-you-mean.js';
import { knownKeysAt } from './schema-keys.js';

type Path = readonly PropertyKey[];

/**
 * How many alias expansions a file may use. yaml's default (100) guards
 * against "billion laughs" but refuses ordinary configs that reuse an anchor
 * for every target; 10,000 still stops an exponential expansion.
 */
export const MAX_ALIAS_COUNT = 10_000;

/** A parsed YAML file that can point back at the line and column of any key. */
export class YamlSource {
  readonly doc: Document.Parsed;
  private readonly lines = new LineCounter();
  /** Scalars that were exactly one `${VAR}`, by path: the schema, not YAML, decides their type. */
  private readonly envScalars: Array<{ path: (string | number)[]; value: string }> = [];
  /** Values taken from the environment, kept out of every message. */
  private readonly envValues = new Set<string>();

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
  }

  /** YAML syntax errors, located. */
  syntaxIssues(): ConfigIssue[] {
    return this.doc.errors.map((e) => {
      const pos = this.lines.linePos(e.pos[0]);
      return { file: this.file, line: pos.line, col: pos.col, path: '', message: e.message.split('\n')[0]! };
    });
  }

  /** Position of the node at `path`, or of its nearest existing ancestor. */
  locate(path: Path, key?: string): { line: number; col: number } {
    const chain: Node[] = [];
    let node: unknown = this.doc.contents;
    for (const seg of path) {
      if (!node) break;
      chain.push(node as Node);
      node = isMap(node) || isSeq(node) ? node.get(seg as never, true) : undefined;
    }
    if (node) chain.push(node as Node);
    let target = chain[chain.length - 1];
    if (key !== undefined && isMap(target)) {
      const pair = target.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
      if (pair && isScalar(pair.key)) target = pair.key;
    }
    const offset = target?.range?.[0] ?? 0;
    return this.lines.linePos(offset);
  }

  issue(path: Path, message: string, key?: string): ConfigIssue {
    const pos = this.locate(path, key);
    const dotted = [...path, ...(key !== undefined ? [key] : [])].map(String).join('.');
    return { file: this.file, line: pos.line, col: pos.col, path: dotted, message };
  }

  /**
   * Replaces `${VAR}` and `${VAR:-default}` in string values from `env`,
   * after parsing, so the value is exactly what the environment holds: a
   * `#`, `&`, `!`, quote or colon in a secret is never read as YAML. A
   * scalar that is exactly one `${VAR}` (quoted or not: inside `{ }` it must
   * be quoted) becomes a number or boolean only where the schema asks for
   * one (`port: ${SNMP_PORT}`).
   * Keys are never substituted. Returns one issue per missing variable.
   */
  substituteEnv(env: Readonly<Record<string, string | undefined>>): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    visit(this.doc, {
      Scalar: (key, node, path) => {
        if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('${')) return;
        const missing: string[] = [];
        const raw = node.value;
        const replaced = raw.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_, name: string, fallback?: string) => {
          const value = env[name];
          if (value !== undefined && value !== '') {
            this.envValues.add(value);
            return value;
          }
          if (fallback !== undefined) return fallback;
          missing.push(name);
          return '';
        });
        if (missing.length) {
          const pos = this.lines.linePos(node.range?.[0] ?? 0);
          issues.push({
            file: this.file,
            line: pos.line,
            col: pos.col,
            path: yamlSegments(path, node).join('.'),
            message: `environment variable ${missing.join(', ')} is not set`,
          });
          return;
        }
        if (/^\$\{[^}]+\}$/.test(raw)) this.envScalars.push({ path: yamlSegments(path, node), value: replaced });
        node.value = replaced;
      },
    });
    return issues;
  }

  /**
   * The document as plain data, aliases expanded up to MAX_ALIAS_COUNT;
   * an alias problem is returned as a located issue instead of thrown.
   */
  toJS(): { data: unknown; issue?: ConfigIssue } {
    try {
      return { data: this.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
    } catch (err) {
      const message = (err as Error).message;
      const name = /: (\S+)$/.exec(message)?.[1];
      let at: Node | undefined;
      visit(this.doc, {
        Alias: (_, node) => {
          if (!at || (name !== undefined && node.source === name && !message.startsWith('Excessive'))) at = node;
        },
      });
      const pos = this.lines.linePos(at?.range?.[0] ?? 0);
      const text = message.startsWith('Excessive')
        ? `more than ${MAX_ALIAS_COUNT} alias expansions (*name); write the repeated part out or use fewer aliases`
        : message;
      return { data: undefined, issue: { file: this.file, line: pos.line, col: pos.col, path: '', message: text } };
    }
  }

  /** Removes every value taken from the environment from `text`, so no secret reaches a log or terminal. */
  redact(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is hidden whole; very short values would hide ordinary words.
    for (const v of [...this.envValues].sort((a, b) => b.length - a.length)) if (v.length >= 4) out = out.split(v).join('***');
    return out;
  }

  /** Validates the document against a zod schema, collecting every issue located. */
  validate<S extends z.ZodType>(schema: S): { value?: z.output<S>; issues: ConfigIssue[] } {
    const js = this.toJS();
    if (js.issue) return { issues: [js.issue] };
    const data = js.data ?? {};
    let result = schema.safeParse(data);
    // A `${VAR}` standing alone where the schema wants a number or boolean takes that type; anywhere else it stays a string.
    while (!result.success && this.typeEnvScalars(data, result.error.issues)) result = schema.safeParse(data);
    if (result.success) return { value: result.data, issues: [] };
    const issues = flattenIssues(result.error.issues).map((i) => this.fromZod(schema, i));
    return { issues: dedupe(issues).map((i) => ({ ...i, message: this.redact(i.message) })) };
  }

  /** Converts env-substituted strings the schema refused as "expected number/boolean"; true when any changed. */
  private typeEnvScalars(data: unknown, issues: readonly ZodIssueLike[]): boolean {
    let changed = false;
    const visitIssues = (list: readonly ZodIssueLike[], prefix: PropertyKey[]) => {
      for (const i of list) {
        const path = [...prefix, ...i.path];
        for (const branch of i.errors ?? []) visitIssues(branch, path);
        if (i.code !== 'invalid_type' || (i.expected !== 'number' && i.expected !== 'boolean')) continue;
        const env = this.envScalars.find((e) => e.path.length === path.length && e.path.every((seg, k) => String(seg) === String(path[k])));
        if (!env) continue;
        const typed = i.expected === 'number' ? numberLiteral(env.value) : booleanLiteral(env.value);
        if (typed === undefined || !setAt(data, path, env.value, typed)) continue;
        changed = true;
      }
    };
    visitIssues(issues, []);
    return changed;
  }

  private fromZod(schema: z.ZodType, i: ZodIssueLike): ConfigIssue {
    if (i.code === 'unrecognized_keys' && i.keys?.length) {
      const key = i.keys[0]!;
      const hint = didYouMean(key, knownKeysAt(schema, i.path));
      const others = i.keys.length > 1 ? ` (and ${i.keys.slice(1).join(', ')})` : '';
      return this.issue(i.path, `unknown key "${key}"${others}${hint ? `; did you mean "${hint}"?` : ''}`, key);
    }
    return this.issue(i.path, humanMessage(i));
  }
}

interface ZodIssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  errors?: ZodIssueLike[][];
  expected?: string;
  input?: unknown;
}

/** A union's errors are reported from the branch that came closest. */
function flattenIssues(issues: readonly ZodIssueLike[], prefix: PropertyKey[] = []): ZodIssueLike[] {
  const out: ZodIssueLike[] = [];
  for (const i of issues) {
    const path = [...prefix, ...i.path];
    if (i.code === 'invalid_union' && i.errors?.length && i.message === 'Invalid input') {
      const best = [...i.errors].sort((a, b) => a.length - b.length)[0]!;
      out.push(...flattenIssues(best, path));
    } else out.push({ ...i, path });
  }
  return out;
}

function humanMessage(i: ZodIssueLike): string {
  const m = /^Invalid input: expected (\w+), received undefined$/.exec(i.message);
  if (m) return `is required (${m[1]})`;
  return i.message.replace(/^Invalid input: /, '');
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.line}:${i.col}:${i.path}:${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function numberLiteral(text: string): number | undefined {
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : undefined;
}

function booleanLiteral(text: string): boolean | undefined {
  return /^true$/i.test(text) ? true : /^false$/i.test(text) ? false : undefined;
}

/** Replaces the string `from` at `path` inside plain data by `to`; false when it is not there (already typed). */
function setAt(data: unknown, path: readonly PropertyKey[], from: string, to: unknown): boolean {
  let node = data as Record<PropertyKey, unknown> | undefined;
  for (const seg of path.slice(0, -1)) node = node?.[seg] as Record<PropertyKey, unknown> | undefined;
  const last = path[path.length - 1]!;
  if (!node || node[last] !== from) return false;
  node[last] = to;
  return true;
}

/** The key path of `node` in the document: map keys and sequence indexes. */
function yamlSegments(path: readonly unknown[], node: unknown): (string | number)[] {
  const segs: (string | number)[] = [];
  const all = [...path, node];
  for (let i = 1; i < all.length; i++) {
    const parent = all[i - 1];
    const child = all[i];
    if (isPair(child) && isScalar(child.key)) segs.push(String(child.key.value));
    else if (isSeq(parent)) segs.push(parent.items.indexOf(child as never));
  }
  return segs;
}
