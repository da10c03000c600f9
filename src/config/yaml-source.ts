import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import { parse as parseYamlScalar } from 'yaml';
import type { z } from 'zod';
import type { ConfigIssue } from './config-error.js';
import { didYouMean } from './did-you-mean.js';
import { knownKeysAt } from './schema-keys.js';

type Path = readonly PropertyKey[];

/** A parsed YAML file that can point back at the line and column of any key. */
export class YamlSource {
  readonly doc: Document.Parsed;
  private readonly lines = new LineCounter();

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
   * Replaces `${VAR}` and `${VAR:-default}` in string values from `env`.
   * A plain (unquoted) scalar that is exactly one `${VAR}` takes the type the
   * value would have in YAML, so `port: ${SNMP_PORT}` is a number.
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
          if (value !== undefined && value !== '') return value;
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
            path: yamlPath(path, node),
            message: `environment variable ${missing.join(', ')} is not set`,
          });
          return;
        }
        const whole = /^\$\{[^}]+\}$/.test(raw) && node.type === 'PLAIN';
        node.value = whole ? safeScalar(replaced) : replaced;
      },
    });
    return issues;
  }

  /** Validates the document against a zod schema, collecting every issue located. */
  validate<S extends z.ZodType>(schema: S): { value?: z.output<S>; issues: ConfigIssue[] } {
    const result = schema.safeParse(this.doc.toJS() ?? {});
    if (result.success) return { value: result.data, issues: [] };
    const issues = flattenIssues(result.error.issues).map((i) => this.fromZod(schema, i));
    return { issues: dedupe(issues) };
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

function safeScalar(text: string): unknown {
  try {
    const v = parseYamlScalar(text);
    return v === null || typeof v === 'object' ? text : v;
  } catch {
    return text;
  }
}

function yamlPath(path: readonly unknown[], node: unknown): string {
  const segs: string[] = [];
  const all = [...path, node];
  for (let i = 1; i < all.length; i++) {
    const parent = all[i - 1];
    const child = all[i];
    if (isPair(child) && isScalar(child.key)) segs.push(String(child.key.value));
    else if (isSeq(parent)) segs.push(String(parent.items.indexOf(child as never)));
  }
  return segs.join('.');
}
