import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { configErrorsOf } from './config-errors-of.js';
import { parseConfig } from './load.js';
import { seriesLifetime } from '../core/target.js';
import { resolveTargets } from '../targets/targets-options.js';

const errorsOf = configErrorsOf;

describe('config loading', () => {
  it('a config that says it has no targets gets the embedded defaults', () => {
    const cfg = parseConfig('kpid.yaml', 'allow_empty_targets: true\n', {});
    expect(cfg.server.listen).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(cfg.defaults).toEqual({ interval: 30_000, timeout: 5_000, concurrency: 64 });
    // Relative to the config file's directory (here the working directory, where kpid.yaml is).
    expect(cfg.state).toEqual({ sqlite: resolve('data/kpid.db') });
    expect(Object.isFrozen(cfg.defaults)).toBe(true);
  });

  it('server.public_url is where message links point; unset, messages name the listen address', () => {
    const target = 'targets: [ { name: a, address: 127.0.0.1 } ]\n';
    expect(parseConfig('kpid.yaml', target, {}).server.public_url).toBeUndefined();
    expect(parseConfig('kpid.yaml', `server: { public_url: "https://kpid.noc.example.net/" }\n${target}`, {}).server.public_url).toBe('https://kpid.noc.example.net');
    expect(errorsOf('server: { public_url: "kpid.noc.example.net" }\n').join('\n')).toMatch(/server\.public_url/);
  });

  it('server.ack_links: links last 24 h unless ttl says otherwise; a key is 32 characters or more, and its error never shows it', () => {
    const target = 'targets: [ { name: a, address: 127.0.0.1 } ]\n';
    expect(parseConfig('kpid.yaml', target, {}).server.ack_links).toEqual({ ttl: 24 * 3_600_000 });
    expect(parseConfig('kpid.yaml', `server: { ack_links: { ttl: 2h, key: "\${K}" } }\n${target}`, { K: 'k'.repeat(32) }).server.ack_links)
      .toEqual({ ttl: 2 * 3_600_000, key: 'k'.repeat(32) });
    const errors = errorsOf('server: { ack_links: { key: "${K}" } }\nallow_empty_targets: true\n', { K: 'short-ack-key-123' }).join('\n');
    expect(errors).toMatch(/server\.ack_links\.key: .*at least 32 characters/);
    expect(errors).not.toContain('short-ack-key-123');
    expect(errorsOf('server: { ack_links: { ttl: 10ms } }\n').join('\n')).toMatch(/server\.ack_links\.ttl/);
  });

  it('durations are written 500ms, 30s, 5m', () => {
    const cfg = parseConfig('kpid.yaml', 'defaults: { interval: 5m, timeout: 500ms }\nallow_empty_targets: true\n', {});
    expect(cfg.defaults.interval).toBe(300_000);
    expect(cfg.defaults.timeout).toBe(500);
  });

  it('flapping: more than 4 changes in 30 minutes starts a flap, fewer than 2 ends it, unless the config says otherwise', () => {
    expect(parseConfig('kpid.yaml', 'allow_empty_targets: true\n', {}).flapping).toEqual({ window: 1_800_000, start_above: 4, stop_below: 2 });
    expect(parseConfig('kpid.yaml', 'flapping: { window: 1h, start_above: 10 }\nallow_empty_targets: true\n', {}).flapping)
      .toEqual({ window: 3_600_000, start_above: 10, stop_below: 2 });
    expect(errorsOf('flapping: { start_above: 2, stop_below: 3 }\nallow_empty_targets: true\n')[0]).toMatch(/stop_below must not be above start_above/);
  });

  it('a wrong type names file, line, column and key path', () => {
    const text = ['targets:', '  - name: r1', '    address: 127.0.0.1', '    probes:', '      - { type: tcp, port: "ssh" }', ''].join('\n');
    expect(errorsOf(text)).toEqual(['kpid.yaml:5:28: targets.0.probes.0.port: expected number, received string']);
  });

  it('an unknown key is an error at the key, with a "did you mean"', () => {
    const text = 'defaults:\n  intervall: 30s\nallow_empty_targets: true\n';
    expect(errorsOf(text)).toEqual(['kpid.yaml:2:3: defaults.intervall: unknown key "intervall"; did you mean "interval"?']);
  });

  it('collects every error, not just the first', () => {
    const text = ['defaults:', '  interval: -5s', 'targets:', '  - name: a', '    address: 127.0.0.1', '    colour: red', ''].join('\n');
    const errors = errorsOf(text);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^kpid\.yaml:2:13: defaults\.interval: "-5s" is not a duration/);
    expect(errors[1]).toBe('kpid.yaml:6:5: targets.0.colour: unknown key "colour"');
  });

  it('a missing environment variable is an error that names it', () => {
    const text = 'server:\n  api_token: "${KPID_API_TOKEN}"\nallow_empty_targets: true\n';
    expect(errorsOf(text)).toEqual(['kpid.yaml:2:14: server.api_token: environment variable KPID_API_TOKEN is not set']);
  });

  it('${VAR} takes its value from the environment, typed when it stands alone', () => {
    const text = 'targets:\n  - name: r1\n    address: ${ADDR}\n    probes:\n      - type: tcp\n        port: ${PORT}\n';
    const cfg = parseConfig('kpid.yaml', text, { ADDR: '127.0.0.1', PORT: '2222' });
    expect(cfg.targets[0]!.address).toBe('127.0.0.1');
    expect(cfg.targets[0]!.probes[0]).toMatchObject({ type: 'tcp', port: 2222 });
  });

  it('a secret from the environment never appears in an error', () => {
    const errors = errorsOf('server:\n  api_token: ${TOKEN}\nallow_empty_targets: true\n', { TOKEN: 'short-s3cret' });
    expect(errors.join('\n')).not.toContain('s3cret');
    expect(errors[0]).toMatch(/server\.api_token: .*at least 16 characters/);
  });

  it('duplicate target names are rejected at the second one', () => {
    const text = ['targets:', '  - { name: r1, address: 127.0.0.1 }', '  - { name: r1, address: 127.0.0.2 }', ''].join('\n');
    expect(errorsOf(text)).toEqual(['kpid.yaml:3:13: targets.1.name: duplicate target name "r1" (first used by targets.0)']);
  });

  it('a timeout longer than its interval is rejected', () => {
    const text = ['targets:', '  - name: r1', '    address: 127.0.0.1', '    interval: 10s', '    timeout: 20s', ''].join('\n');
    expect(errorsOf(text)).toEqual([
      'kpid.yaml:5:14: targets.0.timeout: timeout (20000ms) is longer than the poll interval (10000ms) of target "r1"',
    ]);
  });

  it('series_lifetime defaults to three poll intervals, and one shorter than two intervals is rejected at its key', () => {
    const ok = ['targets:', '  - { name: r1, address: 127.0.0.1, interval: 10s }', '  - { name: r2, address: 127.0.0.1, series_lifetime: 5m }', ''].join('\n');
    expect(resolveTargets(parseConfig('kpid.yaml', ok)).map(seriesLifetime)).toEqual([30_000, 300_000]);
    const bad = ['targets:', '  - name: r1', '    address: 127.0.0.1', '    interval: 10s', '    series_lifetime: 15s', ''].join('\n');
    expect(errorsOf(bad)).toEqual([
      'kpid.yaml:5:22: targets.0.series_lifetime: series_lifetime (15000ms) of target "r1" is shorter than two poll intervals (20000ms): one late poll would forget its series and their rule windows',
    ]);
  });

  it('an unknown probe type lists the known ones', () => {
    const text = 'targets:\n  - name: r1\n    address: 127.0.0.1\n    probes: [{ type: smoke }]\n';
    expect(errorsOf(text)[0]).toMatch(/^kpid\.yaml:4:22: targets\.0\.probes\.0\.type: .*icmp, tcp/);
  });

  it('YAML syntax errors are located', () => {
    expect(errorsOf('targets: [\n  - a\n')[0]).toMatch(/^kpid\.yaml:\d+:\d+: \(top level\): /);
  });
});
