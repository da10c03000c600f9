import { parseArgs } from 'node:util';
import { parseDuration } from '../core/duration.js';
import { errorMessage } from '../core/errors.js';
import { defaultDuration, startDemo } from './run-demo.js';

export const DEMO_USAGE = `usage: kpid demo [--speed N] [--duration D] [--smtp host:port] [--keep]

Runs a simulated network (SNMP routers, a voice switch, probe targets, all on
loopback) under kpid with the default alert rules, injects faults on a
script, and prints what kpid notices. Needs no external services.

options:
  --speed N          demo time runs N times faster than real time (default 60:
                     one real second is one demo minute; 1 to 120)
  --duration D       stop after D of real time, e.g. 30s or 2m (default: the
                     whole script, 51 demo minutes, at the given speed)
  --smtp host:port   also mail every alert to noc@localhost via this SMTP
                     server (plain SMTP, no TLS, no auth: a local sink)
  --keep             keep the temporary config, state and kpid log
  -h, --help         this text
`;

/**
 * Above this, polls (at least 0.5 s apart in real time) get so far apart in
 * demo time that 3 missed polls outlast the script's outage.
 */
const MAX_SPEED = 120;

export interface DemoIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Calls `fn` on Ctrl-C or SIGTERM. */
  readonly onInterrupt: (fn: () => void) => void;
}

/** `kpid demo ...`: exit status 0 when the demo ran to its end or was interrupted, 2 for bad arguments, 1 when it could not start. */
export async function runDemoCommand(argv: string[], io: DemoIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        speed: { type: 'string', default: '60' },
        duration: { type: 'string' },
        smtp: { type: 'string' },
        keep: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    io.stderr(`kpid demo: ${errorMessage(err)}\n\n${DEMO_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout(DEMO_USAGE);
    return 0;
  }
  const speed = Number(values.speed);
  if (!Number.isFinite(speed) || speed < 1 || speed > MAX_SPEED) {
    io.stderr(`kpid demo: --speed must be a number from 1 to ${MAX_SPEED}, not "${values.speed}"\n`);
    return 2;
  }
  const durationMs = values.duration === undefined ? defaultDuration(speed) : parseDuration(values.duration);
  if (durationMs === undefined || durationMs <= 0) {
    io.stderr(`kpid demo: --duration must be a duration such as 30s or 2m, not "${values.duration}"\n`);
    return 2;
  }
  let smtp: { host: string; port: number } | undefined;
  if (values.smtp !== undefined) {
    const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(values.smtp);
    const port = m ? Number(m[3]) : NaN;
    if (!m || !(port >= 1 && port <= 65535)) {
      io.stderr(`kpid demo: --smtp must be host:port, e.g. 127.0.0.1:1025, not "${values.smtp}"\n`);
      return 2;
    }
    smtp = { host: (m[1] ?? m[2])!, port };
  }
  let demo;
  try {
    demo = await startDemo({ speed, durationMs, smtp, keep: values.keep, out: io.stdout });
  } catch (err) {
    io.stderr(`kpid demo: could not start: ${errorMessage(err)}\n`);
    return 1;
  }
  io.onInterrupt(() => void demo.stop());
  await demo.done;
  return 0;
}
