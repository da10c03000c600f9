import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../src/alerts/state/sqlite-state-store.js';
import type { ComplianceReport } from '../src/report/report-model.js';
import { CLI, requireBuild } from './helpers/kpid-process.js';
import { outage } from './helpers/report-fixture.js';

const run = promisify(execFile);

/**
 * A week in which 60 switches lost 48 ports each: port p of switch i was
 * down i + p minutes on 2026-03-02. Over a megabyte of report in every
 * format, and a "where" list that must stay readable.
 */
const SWITCHES = 60;
const PORTS = 48;
let dir: string;
let config: string;

beforeAll(async () => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), 'kpid-report-pipe-'));
  const db = join(dir, 'kpid.db');
  const store = new SqliteStateStore(db);
  for (let i = 1; i <= SWITCHES; i++) {
    for (let p = 1; p <= PORTS; p++) {
      const o = outage(`o-${i}-${p}`, `dc/sw-${i}/p${p}`, '2026-03-02T10:00:00Z', i + p);
      await store.putOutage({ ...o, labels: { ...o.labels, target: `sw-${i}`, interface: `p${p}` } });
    }
  }
  await store.close();
  config = join(dir, 'kpid.yaml');
  writeFileSync(config, `state: { sqlite: "${db}" }\n`);
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const ARGS = ['report', '--from', '2026-03-01', '--to', '2026-03-08', '-c'];
/** Reads its whole stdin into the file named by its argument: the other end of the pipe. */
const READER = "process.stdin.pipe(require('fs').createWriteStream(process.argv[1]))";

/** `kpid report ... | node -e READER FILE` through a real shell pipe; the file holds what came through. */
async function piped(format: string): Promise<string> {
  const file = join(dir, `piped.${format}`);
  const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
  const line = [process.execPath, CLI, ...ARGS, config, '--format', format].map(q).join(' ')
    + ` | ${q(process.execPath)} -e ${q(READER)} ${q(file)}`;
  await run('/bin/sh', ['-c', `set -e; ${line}`], { cwd: dir });
  return readFileSync(file, 'utf8');
}

/** The same report written with --out, which never went through a pipe. */
async function written(format: string): Promise<string> {
  const file = join(dir, `written.${format}`);
  await run(process.execPath, [CLI, ...ARGS, config, '--format', format, '--out', file], { cwd: dir });
  return readFileSync(file, 'utf8');
}

/** The one thing two runs differ in: when each was generated. */
const sameRun = (text: string) => text.replace(/("generatedAt": "|Generated:? )[0-9T:.-]+Z/g, '$1NOW');

describe('kpid report through a pipe', () => {
  it.each([['json'], ['md'], ['csv'], ['html']])('%s: the whole report of over 1 MB reaches the reader', async (format) => {
    const [viaPipe, viaFile] = await Promise.all([piped(format), written(format)]);
    expect(statSync(join(dir, `written.${format}`)).size).toBeGreaterThan(1 << 20);
    expect(viaPipe.length).toBe(viaFile.length);
    expect(sameRun(viaPipe)).toBe(sameRun(viaFile));
    if (format === 'json') expect((JSON.parse(viaPipe) as ComplianceReport).outages).toHaveLength(SWITCHES * PORTS);
  }, 120_000);
});

describe('where the target was missed, for a network with many failed ports', () => {
  let report: ComplianceReport;
  beforeAll(async () => {
    report = JSON.parse(readFileSync(join(dir, 'written.json'), 'utf8')) as ComplianceReport;
  });

  it('is grouped by switch, worst switch first, five ports each and ten switches, with counts of the rest', () => {
    const failed = report.summary.failed.find((f) => f.kpi === 'availability')!;
    // 99.9 % of a week allows 10.08 minutes: only the 45 ports with i + p ≤ 10 pass (9 + 8 + ... + 1).
    expect(failed.failures).toHaveLength(SWITCHES * PORTS - 45);
    // Worst: sw-60, whose p48 was down 108 minutes; then sw-59 (107)...
    expect(failed.where.map((g) => [g.target, g.count, g.more])).toEqual(
      Array.from({ length: 10 }, (_, k) => [`sw-${60 - k}`, 48, 43]));
    expect(failed.where[0]!.failures.map((f) => [f.scope, f.seconds])).toEqual(
      [48, 47, 46, 45, 44].map((p) => [`dc/sw-60/p${p}`, (60 + p) * 60]));
    expect(failed.moreTargets).toBe(50);
  });

  it('interruptions over 30 minutes are grouped the same way', () => {
    const failed = report.summary.failed.find((f) => f.kpi === 'interruption_minutes')!;
    // Switch i has i + p > 30 for p > 30 − i: every port of sw-30 and above, 48 − (30 − i) of the others.
    const expected = Array.from({ length: SWITCHES }, (_, k) => k + 1).reduce((n, i) => n + Math.min(PORTS, Math.max(0, PORTS - (30 - i))), 0);
    expect(failed.failures).toHaveLength(expected);
    expect(failed.where[0]).toMatchObject({ target: 'sw-60', count: 48, more: 43 });
    expect(failed.where[0]!.failures[0]!.seconds).toBe(108 * 60);
  });

  it('reads as one line per switch in Markdown', () => {
    const md = readFileSync(join(dir, 'written.md'), 'utf8');
    const section = md.split('## Failed KPIs: where and for how long')[1]!.split('## KPIs against their targets')[0]!;
    expect(section).toContain('- **system availability** (`availability`): 2835 failure(s) on 60 target(s)');
    expect(section).toContain('  - **sw-60**: 48 failures, worst first\n    - dc/sw-60/p48: ');
    expect(section).toContain('    - … and 43 more on sw-60');
    expect(section).toContain('  - … and 50 more target(s) (every failure is in the evidence below)');
    // Three failed KPIs (availability, interruption, recovery), each a header, 10 switches × (1 + 5 + 1) lines and one "more targets".
    expect(report.summary.failed.map((f) => f.kpi)).toEqual(['interruption_minutes', 'recovery_minutes', 'availability']);
    expect(section.split('\n').filter((l) => l.startsWith('  ') || l.startsWith('- '))).toHaveLength(3 * (1 + 10 * 7 + 1));
  });
});
