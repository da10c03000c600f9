import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../src/alerts/state/sqlite-state-store.js';
import { CLI, requireBuild } from './helpers/kpid-process.js';
import { outage } from './helpers/report-fixture.js';

const run = promisify(execFile);

const RULE = `groups:
  - name: voice
    rules:
      - alert: VoiceServiceDown
        select: { measurement: probe, tags: { probe: sip } }
        value: { field: success }
        when: "= 0"
`;

/**
 * Issue 13 §6: a config in etc/ naming `rules/*.yaml` and `state/kpid.db`
 * relatively, read by `kpid check-config` and `kpid report` run from an
 * unrelated working directory.
 */
describe('the CLI finds the files a config names relatively, from any working directory', () => {
  let dir: string;
  let config: string;
  let elsewhere: string;

  beforeAll(async () => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'kpid-paths-'));
    mkdirSync(join(dir, 'etc', 'rules'), { recursive: true });
    mkdirSync(join(dir, 'etc', 'state'));
    elsewhere = join(dir, 'somewhere', 'else');
    mkdirSync(elsewhere, { recursive: true });
    writeFileSync(join(dir, 'etc', 'rules', 'voice.yaml'), RULE);
    const store = new SqliteStateStore(join(dir, 'etc', 'state', 'kpid.db'));
    await store.putOutage(outage('o-paths-1', 'voice-dc1', '2026-03-02T10:00:00Z', 12));
    await store.close();
    config = join(dir, 'etc', 'kpid.yaml');
    writeFileSync(config, 'state: { sqlite: state/kpid.db }\nrules: [ "rules/*.yaml" ]\ntargets: [ { name: edge-1, address: 127.0.0.1 } ]\n');
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('kpid check-config loads the rules: glob from beside the config', async () => {
    const { stdout } = await run(process.execPath, [CLI, 'check-config', '-c', config], { cwd: elsewhere });
    expect(stdout).toMatch(/rules: ok \(1 rules in 1 files\)/);
  });

  it('kpid report -c FILE reads the state.sqlite of the daemon that ran with FILE', async () => {
    const { stdout } = await run(process.execPath, [CLI, 'report', '--from', '2026-03-01', '--to', '2026-03-08', '--format', 'json', '-c', config], { cwd: elsewhere });
    const report = JSON.parse(stdout) as { outages: Array<{ id: string; durationSeconds: number }> };
    expect(report.outages).toMatchObject([{ id: 'o-paths-1', durationSeconds: 720 }]);
  });
});
