import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { reloadRefusal } from '../src/config/reload-guard.js';
import { configErrorsOf } from '../src/config/config-errors-of.js';
import { CLI, requireBuild } from './helpers/kpid-process.js';

const ROOT = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'kpid-hardening-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `kpid check-config` on `text` as an operator would. */
function checkConfig(text: string | null, env: Record<string, string> = {}, file = join(dir, 'kpid.yaml')) {
  if (text !== null) writeFileSync(file, text);
  requireBuild();
  const r = spawnSync(process.execPath, [CLI, 'check-config', '-c', file], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const ONE_TARGET = 'targets: [ { name: r1, address: 127.0.0.1 } ]\n';

describe('an empty or truncated config is never a valid one', () => {
  it.each([
    ['an empty file', ''],
    ['a file of comments only', '# kpid config\n# (truncated)\n'],
  ])('check-config refuses %s with a clear message', (_name, text) => {
    const r = checkConfig(text);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/kpid\.yaml:1:1: \(top level\): the config file is empty \(or only comments\); nothing was loaded/);
    expect(r.stdout).toBe('');
  });

  it('a config without targets is refused at the targets key, and targets: [] too', () => {
    expect(configErrorsOf('defaults: { interval: 30s }\n')).toEqual([
      expect.stringMatching(/^kpid\.yaml:1:1: targets: no targets; .*set allow_empty_targets: true$/),
    ]);
    expect(configErrorsOf('defaults: { interval: 30s }\ntargets: []\n')).toEqual([expect.stringMatching(/^kpid\.yaml:2:10: targets: no targets/)]);
  });

  it('allow_empty_targets: true makes a receive-only kpid valid', () => {
    expect(parseConfig('kpid.yaml', 'allow_empty_targets: true\n', {}).targets).toEqual([]);
    const r = checkConfig('allow_empty_targets: true\n');
    expect(r.stdout).toContain('ok (0 targets)');
    expect(r.status).toBe(0);
  });

  it('-c /dev/zero is refused with a size error instead of being read forever', () => {
    const r = checkConfig(null, {}, '/dev/zero');
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('/dev/zero:1:1: (top level): file is larger than 16777216 bytes; is -c pointing at the right file?');
  });
});

describe('a reload that looks like an accident is refused unless forced', () => {
  const targets = (...names: string[]) => names.map((name) => ({ name }));
  it.each([
    ['keeps every target and rule', targets('a', 'b', 'c', 'd'), 3, targets('a', 'b', 'c', 'd'), 3, undefined],
    ['removes exactly half the targets', targets('a', 'b', 'c', 'd'), 3, targets('a', 'b'), 3, undefined],
    ['removes three of four targets', targets('a', 'b', 'c', 'd'), 3, targets('a'), 3, /removes 3 of 4 targets \(more than half\)/],
    ['renames every target', targets('a', 'b'), 3, targets('x', 'y'), 3, /removes 2 of 2 targets/],
    ['drops every rule', targets('a'), 3, targets('a'), 0, /loads no alert rules where 3 run now/],
    ['adds the first rules', targets('a'), 0, targets('a'), 2, undefined],
    ['grows from no targets', [], 0, targets('a'), 0, undefined],
  ])('a reload that %s', (_name, beforeTargets, beforeRules, afterTargets, afterRules, refusal) => {
    const reason = reloadRefusal({ targets: beforeTargets, rules: beforeRules }, { targets: afterTargets, rules: afterRules });
    if (refusal) expect(reason).toMatch(refusal);
    else expect(reason).toBeUndefined();
    if (refusal) expect(reason).toMatch(/POST \/api\/v1\/reload\?force=1 .*SIGHUP cannot force/);
  });
});

describe('YAML aliases', () => {
  it('a config that reuses an anchor 500 times is accepted (the yaml default of 100 refused it)', () => {
    const others = Array.from({ length: 500 }, (_, i) => `  - { name: t${i}, address: 127.0.0.1, labels: *common }`).join('\n');
    const cfg = parseConfig('kpid.yaml', `targets:\n  - { name: first, address: 127.0.0.1, labels: &common { role: access } }\n${others}\n`, {});
    expect(cfg.targets).toHaveLength(501);
    expect(cfg.targets[500]!.labels).toEqual({ role: 'access' });
  });

  it('an alias with no anchor is an error at its line and column', () => {
    expect(configErrorsOf(`targets:\n  - { name: a, address: 127.0.0.1 }\n  - { name: b, address: 127.0.0.1, labels: *nope }\n`)).toEqual([
      'kpid.yaml:3:44: (top level): Unresolved alias (the anchor must be set before the alias): nope',
    ]);
  });

  it('an exponential expansion ("billion laughs") is refused with a location, not a stack trace', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    const r = checkConfig(`${lines.join('\n')}\n${ONE_TARGET}`);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^\S+kpid\.yaml:2:\d+: \(top level\): more than 10000 alias expansions/);
  });
});

describe('the kpis: example in docs/configuration.md', () => {
  it('passes check-config with the shipped rules', () => {
    const doc = readFileSync(join(ROOT, 'docs/configuration.md'), 'utf8');
    const example = /```yaml\n(kpis:[^\n]*)\n```/.exec(doc)?.[1];
    expect(example, 'docs/configuration.md has a ```yaml block starting with kpis:').toBeDefined();
    const r = checkConfig(`rules: [ "${ROOT}/alert-rules/*.yaml" ]\n${example}\n${ONE_TARGET}`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/rules: ok \(\d+ rules in 3 files\)/);
    expect(r.status).toBe(0);
  });
});
