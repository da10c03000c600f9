import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { configErrorsOf } from '../src/config/config-errors-of.js';
import { CLI, requireBuild, startKpid } from './helpers/kpid-process.js';
import { freeUdpPort } from './helpers/udp.js';

/**
 * Secrets holding every character YAML gives a meaning to. Before issue 14
 * they were re-parsed as YAML: `#` cut the rest off, `&`, `!tag` and quotes
 * vanished, numbers failed "expected string", and a `!tag` one was printed.
 */
const SECRETS: Record<string, string> = {
  S_HASH: 'pass #word-and-more',
  S_ANCHOR: '&anchor-secret-value',
  S_ALIAS: '*alias-secret-value',
  S_TAG: '!tag secret-tag-value',
  S_DQUOTE: '"double-quoted-secret"',
  S_SQUOTE: "'single-quoted-secret'",
  S_NUMBER: '1234567890123456789',
  S_COLON: 'key: value-secret-colon',
  S_FLOW: '[flow, {secret: map}]',
  S_BLOCK: '| block-scalar-secret',
  S_FOLD: '> folded-secret-value',
  S_PERCENT: '%directive-secret',
  S_AT: '@reserved-secret-at',
  S_BACKTICK: '`backtick-secret`',
  S_DASH: '- dash-secret-value',
  S_QUESTION: '? question-secret',
  S_BOOL: 'true',
  S_NULL: '~',
  S_ACK_KEY: '#ack-link-key & more: 32 characters or longer',
};
const names = Object.keys(SECRETS);

function config(snmpPort: number, extra = ''): string {
  const targets = names.map((n, i) => `  - name: t${i}
    address: 127.0.0.1
    snmp:
      version: 2c
      community: \${${n}}
      port: \${SNMP_PORT}
      timeout: 100ms
      retries: 0`).join('\n');
  return `server:
  listen: "127.0.0.1:0"
  api_token: \${S_NUMBER}
  ack_links:
    key: \${S_ACK_KEY}
defaults: { interval: 1s, timeout: 500ms }
${extra}targets:
${targets}
`;
}

const dir = mkdtempSync(join(tmpdir(), 'kpid-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every secret that has a distinctive text (not `true`, `~`) and shows up in `text`. */
function leaked(text: string): string[] {
  return Object.values(SECRETS).filter((s) => s.length >= 4 && text.includes(s.replace(/^[^a-z0-9]+/i, '').slice(0, 12)));
}

describe('${VAR} is substituted after parsing: the value is exactly what the environment holds', () => {
  it('every YAML special character survives, and a numeric-looking secret stays a string where a string is wanted', () => {
    const cfg = parseConfig('kpid.yaml', config(161), { ...SECRETS, SNMP_PORT: '1161' });
    names.forEach((n, i) => expect(cfg.targets[i]!.snmp!.community, n).toBe(SECRETS[n]));
    expect(cfg.server.api_token).toBe('1234567890123456789');
    // Where the schema wants a number, a lone unquoted ${VAR} still becomes one.
    expect(cfg.targets[0]!.snmp!.port).toBe(1161);
  });

  it('${VAR:-default} and the missing-variable error with its location still work', () => {
    const text = 'server:\n  api_token: "${KPID_NOPE_TOKEN}"\ntargets:\n  - { name: a, address: "${ADDR:-127.0.0.9}" }\n';
    expect(configErrorsOf(text)).toEqual(['kpid.yaml:2:14: server.api_token: environment variable KPID_NOPE_TOKEN is not set']);
    expect(parseConfig('kpid.yaml', text, { KPID_NOPE_TOKEN: 'x'.repeat(16) }).targets[0]!.address).toBe('127.0.0.9');
  });

  it('a secret never appears in check-config output, valid or not', () => {
    requireBuild();
    const file = join(dir, 'kpid.yaml');
    const env = { ...process.env, ...SECRETS, SNMP_PORT: '1161' };
    writeFileSync(file, config(161));
    const ok = spawnSync(process.execPath, [CLI, 'check-config', '-c', file], { env, encoding: 'utf8' });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(leaked(ok.stdout + ok.stderr)).toEqual([]);
    // Invalid: each secret lands where it is wrong (a port, a duration, a too-short token) and the errors name the key only.
    writeFileSync(file, `${config(161)}  - { name: bad, address: 127.0.0.1, interval: "\${S_TAG}", snmp: { version: 2c, community: c, port: "\${S_HASH}" } }\n`);
    const bad = spawnSync(process.execPath, [CLI, 'check-config', '-c', file], { env, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(new RegExp(`targets\\.${names.length}\\.interval: `));
    expect(bad.stderr).toMatch(new RegExp(`targets\\.${names.length}\\.snmp\\.port: `));
    expect(leaked(bad.stdout + bad.stderr)).toEqual([]);
  });

  it('a secret never appears in the daemon log or /metrics', async () => {
    const port = await freeUdpPort();
    const kpid = await startKpid(config(port), { ...SECRETS, SNMP_PORT: String(port) });
    try {
      // Polls time out against a silent port: the error path is where a community would leak.
      const deadline = Date.now() + 10_000;
      let metrics = '';
      while (Date.now() < deadline && !/kpid_collector_errors_total\{collector="snmp"[^}]*\} [1-9]/.test(metrics)) {
        metrics = await kpid.metrics();
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(metrics).toMatch(/kpid_collector_errors_total\{collector="snmp"[^}]*\} [1-9]/);
      kpid.proc.kill('SIGHUP');
      await kpid.waitForLog((l) => l.msg === 'config reloaded');
      expect(leaked(JSON.stringify(kpid.logs))).toEqual([]);
      expect(leaked(metrics)).toEqual([]);
    } finally {
      await kpid.stop();
    }
  });
});
