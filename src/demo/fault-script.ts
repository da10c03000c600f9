import type { DemoNetwork } from './demo-network.js';

/**
 * What goes wrong in the demo network, and when (demo time after start).
 * Each fault is chosen to trip one catalogue rule with its default
 * settings: utilisation over 90 % for 5 minutes, a call drop rate over
 * 0.5 % on the 15-minute ratio for 5 minutes, a device that stops answering
 * (an outage whose 30-minute recovery clock is met), and a fibre cut (an
 * outage that misses it).
 */
export interface ScriptStep {
  /** Demo milliseconds after the start. */
  readonly at: number;
  readonly kind: 'fault' | 'fix';
  readonly text: string;
  readonly apply: (net: DemoNetwork, now: number) => void | Promise<void>;
}

const M = 60_000;

export const FAULT_SCRIPT: readonly ScriptStep[] = [
  {
    at: 2 * M, kind: 'fault', text: 'core-1 xe-0/0/1 congested: inbound at 96 % of 10 Gbit/s',
    apply: (n, now) => n.device('core-1').setUtilisation('xe-0/0/1', 'in', 0.96, now),
  },
  {
    at: 4 * M, kind: 'fault', text: 'voice-sw-1 trunk card failing: 2 % of calls drop (target below 0.5 %)',
    apply: (n, now) => n.device('voice-sw-1').setDropShare(0.02, now),
  },
  {
    at: 9 * M, kind: 'fix', text: 'core-1 xe-0/0/1 traffic rerouted: inbound back to 45 %',
    apply: (n, now) => n.device('core-1').setUtilisation('xe-0/0/1', 'in', 0.45, now),
  },
  {
    at: 12 * M, kind: 'fault', text: 'edge-1 loses power: no SNMP, no SSH',
    apply: (n) => n.powerOff('edge-1'),
  },
  {
    at: 14 * M, kind: 'fix', text: 'voice-sw-1 trunk card replaced: drops back to 0.1 %',
    apply: (n, now) => n.device('voice-sw-1').setDropShare(0.001, now),
  },
  {
    at: 16 * M, kind: 'fault', text: 'core-2 et-0/0/2 long-haul fibre cut: link down',
    apply: (n, now) => n.device('core-2').setLink('et-0/0/2', false, now),
  },
  {
    at: 40 * M, kind: 'fix', text: 'edge-1 power restored: it reboots and answers again',
    apply: (n) => n.powerOn('edge-1'),
  },
  {
    at: 49 * M, kind: 'fix', text: 'core-2 et-0/0/2 fibre spliced: link up',
    apply: (n, now) => n.device('core-2').setLink('et-0/0/2', true, now),
  },
];

/** Demo time by which every fault has been fixed and kpid has seen it. */
export const SCRIPT_END = 51 * M;
