#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { ConfigError } from './config/config-error.js';
import { loadConfig } from './config/load.js';
import { errorMessage } from './core/errors.js';
import { createLogger, type LogFormat } from './core/logger.js';
import { startKpid, type RunningKpid } from './daemon/start-kpid.js';
import { heapChoice } from './core/heap-mode.js';
import { runRuleTests } from './rules/rule-tests.js';
import { loadRuleFiles } from './rules/rule-files.js';
import { runReportCommand } from './report/report-command.js';
import { runDemoCommand } from './demo/demo-command.js';

/**
 * The command line: the only module that reads argv or exits the process.
 */
const USAGE = `usage: kpid <command> [options]

commands:
  run            run the daemon (SIGTERM/SIGINT drain and exit 0, SIGHUP reloads)
  check-config   validate the config; exit 0, or 1 with file:line:col: key: message per error
  test-rules FILE...  run rule unit tests (like promtool test rules); exit 0 when all pass
  report --from DATE --to DATE [--format md|csv|json|html] [--out FILE]
                 KPI compliance report for a period (kpid report --help)
  demo [--speed N] [--duration D] [--smtp host:port]
                 a simulated network with scripted faults, no external services (kpid demo --help)

options:
  -c, --config FILE     config file (default config/kpid.yaml)
      --log-format F    json (default) or pretty
  -h, --help            this text
`;

const DEFAULT_CONFIG = 'config/kpid.yaml';
const SHUTDOWN_DEADLINE_MS = 4_500;

async function main(argv: string[]): Promise<number> {
  // report has options of its own (--from, --to, ...) that the parse below would refuse.
  if (argv[0] === 'report') {
    return runReportCommand(argv.slice(1), { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
  }
  if (argv[0] === 'demo') {
    return runDemoCommand(argv.slice(1), {
      stdout: (t) => process.stdout.write(t),
      stderr: (t) => process.stderr.write(t),
      onInterrupt: (fn) => ['SIGINT', 'SIGTERM'].forEach((sig) => process.once(sig, fn)),
    });
  }
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c', default: DEFAULT_CONFIG },
      'log-format': { type: 'string', default: 'json' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return command || values.help ? 0 : 2;
  }
  const format = values['log-format'];
  if (format !== 'json' && format !== 'pretty') {
    process.stderr.write(`kpid: --log-format must be json or pretty, not "${format}"\n`);
    return 2;
  }
  switch (command) {
    case 'run':
      return run(values.config!, format);
    case 'check-config':
      return checkConfig(values.config!);
    case 'test-rules':
      return testRules(rest);
    default:
      process.stderr.write(`kpid: unknown command "${command}"${rest.length ? '' : ''}\n\n${USAGE}`);
      return 2;
  }
}

async function testRules(files: string[]): Promise<number> {
  if (files.length === 0) {
    process.stderr.write('kpid: test-rules needs at least one test file\n');
    return 2;
  }
  const result = await runRuleTests(files, {
    onResult: (r) => process.stdout.write(`${r.ok ? '  SUCCESS' : '  FAILED '} ${r.file}: ${r.test}\n`),
  });
  for (const m of result.messages) process.stderr.write(`${m}\n`);
  process.stdout.write(`${result.passed} passed, ${result.failed} failed\n`);
  return result.failed === 0 ? 0 : 1;
}

function checkConfig(file: string): number {
  try {
    const cfg = loadConfig(file);
    // Rule files too (SPEC: check-config validates config and rules); paths as the daemon resolves them.
    const rules = loadRuleFiles(cfg.rules, { kpis: cfg.kpis });
    process.stdout.write(`${file}: ok (${cfg.targets.length} targets)\n`);
    process.stdout.write(`rules: ok (${rules.rules.length} rules in ${rules.files.length} files)\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`${err instanceof ConfigError ? err.message : errorMessage(err)}\n`);
    return 1;
  }
}

async function run(file: string, format: LogFormat): Promise<number> {
  const log = createLogger(format);
  // Before the daemon allocates anything: V8 reads these flags at each heap growth decision.
  const heap = heapChoice(process.execArgv, process.env);
  if (heap.flags.length) setFlagsFromString(heap.flags.join(' '));
  log.info({ heap: heap.mode }, heap.why);
  // Listened for before the daemon starts: a SIGTERM that came between
  // "kpid running" and a later handler killed kpid undrained.
  const stopSignal = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  let daemon: RunningKpid | undefined;
  try {
    const starting = startKpid({ configFile: file, log });
    // A signal while it starts (a Redis that does not answer can hold the
    // start) ends kpid at once, as the signal's default would have.
    starting.catch(() => {});
    daemon = await Promise.race([starting, stopSignal.then(() => undefined)]);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      log.error({ errors: err.issues.length }, 'config rejected; not starting');
    } else {
      log.error({ err: errorMessage(err) }, 'kpid could not start');
    }
    log.flush?.();
    return 1;
  }
  const running = daemon;
  if (running) process.on('SIGHUP', () => void running.reload());
  const signal = await stopSignal;
  log.info({ signal }, running ? 'shutting down' : 'stopped while starting');
  if (!running) return 0;
  return new Promise<number>((resolve) => {
    // The drain is bounded: exit 0 within 5 s of SIGTERM whatever hangs.
    const deadline = setTimeout(() => resolve(0), SHUTDOWN_DEADLINE_MS);
    running.stop().then(
      () => {
        clearTimeout(deadline);
        resolve(0);
      },
      (err) => {
        log.error({ err: errorMessage(err) }, 'error while stopping');
        clearTimeout(deadline);
        resolve(0);
      },
    );
  });
}

/**
 * Exits once everything written to stdout and stderr has left the process.
 * Writes to a pipe are asynchronous in Node, and process.exit() drops what
 * is still queued: `kpid report --format json | jq` got only the first
 * 64 KiB. A write's callback runs after every earlier write was handed to
 * the pipe, so an empty write per stream marks the end.
 */
function exitWhenFlushed(code: number): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  for (const stream of [process.stdout, process.stderr]) {
    // The reader went away (`kpid report | head`): nothing more can be said to it.
    stream.on('error', () => {});
    stream.write('', done);
  }
}

main(process.argv.slice(2)).then(
  (code) => exitWhenFlushed(code),
  (err) => {
    process.stderr.write(`kpid: ${errorMessage(err)}\n`);
    exitWhenFlushed(2);
  },
);
