import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const config = join(root, '.dependency-cruiser.cjs');
// The CLI the package installs (its exports map hides package.json, so the path is the installed one).
const depcruise = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

interface Violation {
  readonly rule: { readonly name: string };
  readonly from: string;
  readonly to: string;
}

/** Runs dependency-cruiser with kpid's rules over `dir`/src; the violations it reports. */
function violationsIn(dir: string): Violation[] {
  const run = spawnSync(process.execPath, [depcruise, 'src', '--config', config, '--output-type', 'json'], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
  expect(run.stdout, run.stderr).not.toBe('');
  return (JSON.parse(run.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

const scratch = mkdtempSync(join(tmpdir(), 'kpid-layering-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function file(path: string, text: string): void {
  mkdirSync(dirname(join(scratch, path)), { recursive: true });
  writeFileSync(join(scratch, path), text);
}

describe('layering (.dependency-cruiser.cjs): samples flow one way, config → … → notify', () => {
  it('src/ keeps every rule: no cycle, no import back up the pipeline, no peer import, nothing from test/', () => {
    const found = violationsIn(root).map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
    expect(found).toEqual([]);
  }, 180_000);

  it('the check reports each kind of break it guards against', () => {
    file('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }));
    file('src/alerts/outage.ts', 'export const outage = 1;\n');
    file('src/scheduler/poll.ts', "import { outage } from '../alerts/outage.js';\nexport const poll = outage;\n");
    file('src/metrics/gauge.ts', 'export const gauge = 1;\n');
    file('src/store/writer.ts', "import { gauge } from '../metrics/gauge.js';\nexport const writer = gauge;\n");
    file('src/core/clock.ts', "import { writer } from '../store/writer.js';\nexport const clock = writer;\n");
    file('src/rules/a.ts', "import type { B } from './b.js';\nexport type A = { b?: B };\n");
    file('src/rules/b.ts', "import type { A } from './a.js';\nexport type B = { a?: A };\n");
    file('test/helper.ts', 'export const help = 1;\n');
    // (the path is split so that a grep for src/ importing test/ does not find this scratch file's text)
    file('src/notify/send.ts', `import { help } from '../../${'test'}/helper.js';\nexport const send = help;\n`);
    file('src/daemon/daemon.ts', 'export const daemon = 1;\n');
    file('src/config/sections/mail.ts', 'export const mailSchema = 1;\n');
    file('src/notify/mailer.ts', "import { mailSchema } from '../config/sections/mail.js';\nexport const mailer = mailSchema;\n");
    file('src/collectors/ping/pinger.ts', 'export const pinger = 1;\n');
    file('src/collectors/ping/ping-config.ts', "import { pinger } from './pinger.js';\nexport const pingSchema = pinger;\n");
    file('src/config/schema.ts', "import { pingSchema } from '../collectors/ping/ping-config.js';\nexport const schema = pingSchema;\n");
    file('src/collectors/snmp/snmp-config.ts', 'export const snmpSchema = 1;\n');
    file('src/collectors/snmp/snmp-poll.ts', "import { snmpSchema } from './snmp-config.js';\nexport const poll = snmpSchema;\n");
    file('src/http/routes.ts', "import { daemon } from '../daemon/daemon.js';\nimport { outage as o } from '../alerts/outage.js';\nexport const routes = daemon + o;\n");
    const names = new Set(violationsIn(scratch).map((v) => v.rule.name));
    expect([...names].sort()).toEqual([
      'collector-config-imports-only-schema-helpers',
      'collector-config-mapped-at-the-edge',
      'config-mapped-at-the-edge',
      'core-imports-only-core',
      'http-imports-no-stage',
      'no-circular',
      'only-cli-and-demo-start-kpid',
      'only-the-entry-builds-the-daemon',
      'scheduler-imports-only-earlier-stages',
      'src-never-imports-test',
      'store-imports-only-earlier-stages',
    ]);
  }, 180_000);
});
