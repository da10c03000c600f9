import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { TimerHandle } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { startKpid } from '../daemon/start-kpid.js';
import { ConsoleTimeline, type OutageLine } from './console-timeline.js';
import { demoConfig, demoTiming } from './demo-config.js';
import { DemoNetwork } from './demo-network.js';
import { freeTcpPort } from './free-ports.js';
import { FAULT_SCRIPT, SCRIPT_END } from './fault-script.js';
import { ScaledClock } from './scaled-clock.js';

export interface DemoOptions {
  /** Demo time runs this many times faster than the wall clock. */
  readonly speed: number;
  /** Real milliseconds to run; default: the whole fault script at this speed. */
  readonly durationMs?: number;
  /** Send alerts by email to this SMTP server as well as printing them. */
  readonly smtp?: { readonly host: string; readonly port: number };
  /** Keep the temporary directory (config, state, log) after exit. */
  readonly keep?: boolean;
  readonly out: (text: string) => void;
}

export interface RunningDemo {
  readonly url: string;
  readonly dir: string;
  /** Resolves when the demo has ended and everything is stopped. */
  readonly done: Promise<void>;
  /** Ends the demo early (Ctrl-C). */
  stop(): Promise<void>;
}

const RULES_DIR = fileURLToPath(new URL('../../alert-rules/', import.meta.url));
const OUTAGE_POLL_MS = 250;

/** Real milliseconds the whole script takes at `speed`, plus a second to wind down. */
export function defaultDuration(speed: number): number {
  return Math.ceil(SCRIPT_END / speed) + 1_000;
}

/**
 * `kpid demo`: simulated devices on loopback, an ordinary kpid daemon
 * polling them on a ScaledClock, the fault script, and a console timeline
 * of what kpid noticed (from its notifications and its outage API).
 */
export async function startDemo(o: DemoOptions): Promise<RunningDemo> {
  if (!existsSync(RULES_DIR)) throw new Error(`the default alert rules are missing (${RULES_DIR})`);
  const clock = new ScaledClock(o.speed);
  const timeline = new ConsoleTimeline(clock, o.out);
  const dir = mkdtempSync(join(tmpdir(), 'kpid-demo-'));
  const cleanups: Array<() => Promise<void> | void> = [() => (o.keep ? undefined : rmSync(dir, { recursive: true, force: true }))];
  const cleanup = async () => {
    for (const c of cleanups.splice(0).reverse()) await Promise.resolve(c()).catch(() => {});
  };
  try {
    const network = await DemoNetwork.start(clock);
    cleanups.push(() => network.stop());
    const serverPort = await freeTcpPort();
    const configFile = join(dir, 'kpid.yaml');
    writeFileSync(configFile, demoConfig({
      hosts: network.hosts, speed: o.speed, serverPort, stateFile: join(dir, 'kpid.db'), rules: join(RULES_DIR, '*.yaml'), smtp: o.smtp,
    }));
    const log = fileLogger(join(dir, 'kpid.log'));
    // A notification may mean an outage opened: look at the ledger at once rather than at the next check.
    let checkOutages = () => {};
    printHeader(o, network, dir);
    const daemon = await startKpid({
      configFile, log, clock,
      onNotification: (n) => {
        timeline.notification(n);
        checkOutages();
      },
    });
    const { url } = daemon;
    cleanups.push(() => daemon.stop());
    o.out(`kpid API: ${url}/api/v1/alerts  ${url}/api/v1/outages  ${url}/metrics\n\n`);
    timeline.line('START', `${network.hosts.length} devices polled every ${demoTiming(o.speed).interval / 1000}s (demo time)`);

    const timers = FAULT_SCRIPT.map((step) => clock.setTimeout(() => {
      timeline.line(step.kind === 'fault' ? 'FAULT' : 'FIX', step.text);
      void Promise.resolve(step.apply(network, clock.now())).catch((err) => timeline.line('ERROR', errorMessage(err)));
    }, step.at - clock.elapsed()));
    cleanups.push(() => timers.forEach((t: TimerHandle) => clock.clearTimeout(t)));
    const watcher = watchOutages(url, timeline);
    checkOutages = () => watcher.check();
    cleanups.push(() => watcher.stop());

    let finishing: Promise<void> | undefined;
    let endTimer: NodeJS.Timeout | undefined;
    const finish = (why: string) => (finishing ??= (async () => {
      if (endTimer) clearTimeout(endTimer);
      timeline.line('END', why);
      await watcher.stop();
      timeline.summary(await fetchOutages(url).catch(() => []));
      await cleanup();
      o.out(o.keep ? `\nconfig, state and log kept in ${dir}\n` : '');
    })());
    let ended!: () => void;
    const done = new Promise<void>((r) => (ended = r));
    endTimer = setTimeout(() => void finish('demo over').then(ended), o.durationMs ?? defaultDuration(o.speed));
    return { url, dir, done, stop: () => finish('interrupted').then(ended) };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

function printHeader(o: DemoOptions, network: DemoNetwork, dir: string): void {
  const t = demoTiming(o.speed);
  o.out(`kpid demo: a simulated network at ${o.speed}× speed (1 real second = ${formatSeconds(o.speed)} of demo time)\n\n`);
  for (const h of network.hosts) {
    const what = [
      h.snmpPort !== undefined ? `SNMP v2c udp/${h.snmpPort}` : '',
      h.device ? `${h.device.spec.interfaces.length} interface${h.device.spec.interfaces.length === 1 ? '' : 's'}` : '',
      h.device?.spec.voice ? 'call counters' : '',
      h.service ? `${h.service.name} tcp/${h.service.port}` : '',
      h.httpUrl ? 'HTTP health page' : '',
      h.icmp ? 'ping' : '',
    ].filter(Boolean).join(', ');
    o.out(`  ${h.name.padEnd(11)} ${h.address.padEnd(11)} ${h.role.padEnd(20)} ${what}\n`);
  }
  o.out(`\nRules: alert-rules/*.yaml (the defaults). Polls every ${t.interval / 1000}s of demo time.\n`);
  o.out(o.smtp ? `Alerts are printed here and mailed via ${o.smtp.host}:${o.smtp.port} to noc@localhost.\n` : 'Alerts are printed here (give --smtp host:port to mail them too).\n');
  o.out(`Config, state and kpid's log: ${dir}${o.keep ? '' : ' (removed at exit; --keep keeps it)'}\n`);
}

function formatSeconds(speed: number): string {
  const s = speed;
  return s % 60 === 0 ? `${s / 60} minute${s === 60 ? '' : 's'}` : `${s} seconds`;
}

/** kpid's own log goes to a file: the console is the demo's timeline. */
function fileLogger(file: string): Logger {
  return pino({ level: 'info', base: { service: 'kpid' }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: file, sync: true }));
}

/** Prints each outage once, when GET /api/v1/outages first lists it. */
function watchOutages(url: string, timeline: ConsoleTimeline): { check(): void; stop(): Promise<void> } {
  const seen = new Set<string>();
  let running: Promise<void> = Promise.resolve();
  const poll = async () => {
    for (const o of await fetchOutages(url).catch(() => [])) {
      if (seen.has(o.id)) continue;
      seen.add(o.id);
      timeline.outageOpened(o);
    }
  };
  let stopped = false;
  const check = () => {
    if (!stopped) running = running.then(poll);
  };
  const timer = setInterval(check, OUTAGE_POLL_MS);
  return {
    check,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

async function fetchOutages(url: string): Promise<OutageLine[]> {
  const res = await fetch(`${url}/api/v1/outages`);
  if (!res.ok) throw new Error(`GET /api/v1/outages: ${res.status}`);
  return ((await res.json()) as { outages: OutageLine[] }).outages;
}
