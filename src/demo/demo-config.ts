import { stringify } from 'yaml';
import { formatDuration } from '../core/duration.js';
import type { NetworkHost } from './demo-network.js';
import { VOICE_OIDS } from './device-agent.js';

export interface DemoConfigInput {
  readonly hosts: readonly NetworkHost[];
  readonly speed: number;
  readonly serverPort: number;
  readonly stateFile: string;
  /** Glob of the rule files: the repository's default alert-rules/. */
  readonly rules: string;
  readonly smtp?: { readonly host: string; readonly port: number };
}

/** Poll timing in demo time, and the real-time waits that must fit in it. */
export interface DemoTiming {
  /** Poll interval, demo ms: 30 s, or longer when the speed would make polls closer than 1 s real. */
  readonly interval: number;
  /** Per-poll timeout, demo ms. */
  readonly timeout: number;
  /** SNMP request timeout, real ms (net-snmp waits on the wall clock). */
  readonly snmpTimeout: number;
  /** fping reply timeout, real ms. */
  readonly icmpReplyTimeout: number;
}

// At least a second of real time per poll: the agents answer in-process, and a loaded machine
// delays them past the SNMP timeout when polls come every half second.
const MIN_REAL_INTERVAL_MS = 1_000;

export function demoTiming(speed: number): DemoTiming {
  const interval = Math.max(30_000, Math.round(MIN_REAL_INTERVAL_MS * speed));
  const timeout = Math.round(interval * 0.8);
  const realTimeout = timeout / speed;
  // One poll plus one confirmation re-poll must fit in the poll timeout.
  const snmpTimeout = clamp(Math.floor(realTimeout * 0.4), 50, 1_000);
  const icmpReplyTimeout = clamp(Math.floor(realTimeout / 4), 20, 1_000);
  return { interval, timeout, snmpTimeout, icmpReplyTimeout };
}

/**
 * The config `kpid demo` runs: an ordinary kpid config (it passes
 * `kpid check-config`), with the simulated hosts as targets, the default
 * alert rules, state in a temporary directory, and email to a local SMTP
 * server when one is given.
 */
export function demoConfig(i: DemoConfigInput): string {
  const t = demoTiming(i.speed);
  const ms = (n: number) => formatDuration(Math.round(n));
  const targets = i.hosts.map((h) => ({
    name: h.name,
    site: h.site,
    address: h.address,
    labels: { role: h.role.replace(/ /g, '_') },
    ...(h.snmpPort !== undefined ? {
      snmp: {
        version: '2c',
        community: 'public',
        port: h.snmpPort,
        timeout: ms(t.snmpTimeout),
        retries: 0,
        // Demo time: one re-poll 1 s later before the device is reported down.
        confirm: { attempts: 1, delay: '1s' },
        modules: h.device?.spec.voice ? ['system', 'interfaces', 'custom'] : ['system', 'interfaces'],
        ...(h.device?.spec.voice ? { custom: [voiceCounters()] } : {}),
      },
    } : {}),
    probes: [
      ...(h.service ? [{ type: 'tcp', name: h.service.name, port: h.service.port }] : []),
      ...(h.httpUrl ? [{ type: 'http', name: 'health', url: h.httpUrl }] : []),
      ...(h.icmp ? [{ type: 'icmp', count: 3, spacing: '20ms', reply_timeout: ms(t.icmpReplyTimeout) }] : []),
    ],
  }));
  const config = {
    server: { listen: `127.0.0.1:${i.serverPort}` },
    state: { sqlite: i.stateFile },
    queue: { driver: 'memory' },
    defaults: { interval: ms(t.interval), timeout: ms(t.timeout), concurrency: 16 },
    rules: [i.rules],
    targets,
    ...(i.smtp ? { notify: mailTo(i.smtp) } : {}),
  };
  const header = [
    `# Written by kpid demo at speed ${i.speed}: every duration below is in demo time,`,
    '# except snmp.timeout and the icmp probe settings, which devices and fping wait on the wall clock.',
  ];
  return `${header.join('\n')}\n${stringify(config)}`;
}

/** The call counters of config/examples/voice-switch.yaml, served by the simulated switch. */
function voiceCounters() {
  return {
    measurement: 'voice',
    fields: {
      call_attempts: { oid: `${VOICE_OIDS.attempts}.0`, type: 'counter', as: 'delta' },
      calls_answered: { oid: `${VOICE_OIDS.answered}.0`, type: 'counter', as: 'delta' },
      calls_dropped: { oid: `${VOICE_OIDS.dropped}.0`, type: 'counter', as: 'delta' },
      active_calls: { oid: `${VOICE_OIDS.active}.0`, type: 'gauge' },
    },
  };
}

function mailTo(smtp: { host: string; port: number }) {
  // No external_url: ack lines name the daemon's real listen address.
  return {
    channels: {
      'demo-mail': {
        email: {
          smtp: { host: smtp.host, port: smtp.port, secure: false, starttls: 'off', timeout: '5s' },
          from: 'kpid-demo@localhost',
          to: ['noc@localhost'],
        },
      },
    },
    routes: [{ name: 'everything', match: {}, channels: ['demo-mail'], group_wait: '1s' }],
  };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
