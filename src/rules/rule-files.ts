import { readdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { compileRule } from './compile.js';
import { KpiCatalogue, type KpiOverride } from '../core/kpi-catalogue.js';
import type { CompiledRule, RuleGroupSpec } from './rule.js';
import { ConfigError, type ConfigIssue } from '../config/config-error.js';
import { readConfigText } from '../config/load.js';
import { ruleFileSchema, ruleTestFileSchema, type RuleTestFile } from './rule-schema.js';
import { YamlSource } from '../config/yaml-source.js';

/** Rules loaded from files, compiled against the KPI catalogue in force. */
export interface LoadedRules {
  readonly rules: readonly CompiledRule[];
  readonly files: readonly string[];
  readonly catalogue: KpiCatalogue;
}

export interface RuleLoadOptions {
  /** Directory that relative patterns are taken from (the config file's). */
  readonly baseDir?: string;
  readonly kpis?: Readonly<Record<string, KpiOverride>>;
}

/**
 * Loads every file matching `patterns` (`alert-rules/*.yaml`: `*` and `?`
 * in the file name part). Throws one ConfigError listing every problem in
 * every file, each as `file:line:col: path: rule "Name": message`, so a
 * reload can keep the old rules and say exactly why.
 */
export function loadRuleFiles(patterns: readonly string[], opts: RuleLoadOptions = {}): LoadedRules {
  const files = expandPatterns(patterns, opts.baseDir ?? process.cwd());
  return parseRuleTexts(files.map((file) => ({ file, text: readConfigText(file) })), opts.kpis);
}

export function parseRuleTexts(
  sources: readonly { file: string; text: string }[],
  kpis: Readonly<Record<string, KpiOverride>> = {},
): LoadedRules {
  const catalogue = new KpiCatalogue(kpis);
  const issues: ConfigIssue[] = [];
  const rules: CompiledRule[] = [];
  const seen = new Map<string, string>();
  const dependencies: { source: YamlSource; path: (string | number)[]; rule: string; parent: string }[] = [];
  for (const { file, text } of sources) {
    const source = new YamlSource(file, text);
    const syntax = source.syntaxIssues();
    if (syntax.length) {
      issues.push(...syntax);
      continue;
    }
    const { value, issues: shape } = source.validate(ruleFileSchema);
    const raw = source.toJS().data as { groups?: { rules?: { alert?: unknown }[] }[] } | null;
    issues.push(...shape.map((i) => withRuleName(i, raw)));
    if (!value) continue;
    value.groups.forEach((group: RuleGroupSpec, gi) => {
      group.rules.forEach((spec, ri) => {
        const base = ['groups', gi, 'rules', ri];
        const where = `${file}:${source.locate(base).line}`;
        const first = seen.get(spec.alert);
        if (first) {
          issues.push(named(source.issue([...base, 'alert'], `duplicate alert name (first defined at ${first})`), spec.alert));
          return;
        }
        seen.set(spec.alert, where);
        const result = compileRule(spec, group, rules.length, catalogue);
        if (result.problems) {
          for (const p of result.problems) issues.push(named(source.issue([...base, ...p.path], p.message, p.key), spec.alert));
          return;
        }
        rules.push(result.rule);
        if (spec.depends_on) dependencies.push({ source, path: [...base, 'depends_on', 'alert'], rule: spec.alert, parent: spec.depends_on.alert });
      });
    });
  }
  for (const d of dependencies) {
    if (!seen.has(d.parent)) issues.push(named(d.source.issue(d.path, `depends on unknown alert "${d.parent}"`), d.rule));
  }
  if (issues.length) throw new ConfigError(issues);
  return { rules, files: sources.map((s) => s.file), catalogue };
}

function named(i: ConfigIssue, rule: string): ConfigIssue {
  return { ...i, message: `rule "${rule}": ${i.message}` };
}

/** Adds the rule's name to a schema issue inside groups.N.rules.M. */
function withRuleName(i: ConfigIssue, raw: { groups?: { rules?: { alert?: unknown }[] }[] } | null): ConfigIssue {
  const m = /^groups\.(\d+)\.rules\.(\d+)/.exec(i.path);
  if (!m) return i;
  const alert = raw?.groups?.[Number(m[1])]?.rules?.[Number(m[2])]?.alert;
  return typeof alert === 'string' ? named(i, alert) : i;
}

/** Expands `dir/*.yaml`-style patterns, sorted, without duplicates. A literal path must exist. */
export function expandPatterns(patterns: readonly string[], baseDir: string): string[] {
  const out = new Set<string>();
  for (const p of patterns) {
    const full = isAbsolute(p) ? p : resolve(baseDir, p);
    const name = basename(full);
    if (!/[*?]/.test(name)) {
      out.add(full);
      continue;
    }
    const dir = dirname(full);
    const re = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      throw new ConfigError([{ file: p, line: 1, col: 1, path: 'rules', message: `cannot read directory ${dir}` }]);
    }
    for (const n of names.filter((n) => re.test(n)).sort()) out.add(join(dir, n));
  }
  return [...out];
}

/** Reads and validates a rule unit test file; throws a located ConfigError. */
export function loadRuleTestFile(file: string): RuleTestFile {
  const source = new YamlSource(file, readConfigText(file));
  const syntax = source.syntaxIssues();
  if (syntax.length) throw new ConfigError(syntax);
  const { value, issues } = source.validate(ruleTestFileSchema);
  if (issues.length || !value) throw new ConfigError(issues);
  return value;
}
