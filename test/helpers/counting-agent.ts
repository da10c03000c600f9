import { execFileSync } from 'node:child_process';
import snmp, { type Agent } from 'net-snmp';
import { freeUdpPort } from './snmpd.js';

const SYS_UPTIME = '1.3.6.1.2.1.1.3.0';

/** One poll as the agent saw it: which target (by community), when, and from which UDP source port. */
export interface PollSeen {
  readonly target: string;
  readonly at: number;
  readonly port: number;
}

/**
 * An in-process net-snmp agent that answers for many targets at once and
 * counts polls per target. Each target is configured with its own community,
 * `c-<target name>`, so the agent knows whose poll it is; every poll starts
 * with a GET of sysUpTime, which is what is counted. The UDP source port
 * tells which process polled (kpid keeps one session per device), and
 * `pidsOfPorts` maps ports to processes with `ss`.
 */
export class CountingAgent {
  readonly polls: PollSeen[] = [];
  /** Targets whose polls go unanswered (the device is "down"). */
  readonly silent = new Set<string>();
  port = 0;
  private agent?: Agent;

  async start(): Promise<void> {
    this.port = await freeUdpPort();
    const agent = snmp.createAgent({ port: this.port, address: '127.0.0.1', disableAuthorization: true }, () => {});
    const mib = agent.getMib();
    mib.registerProvider({
      name: 'sysUpTime', type: snmp.MibProviderType.Scalar!, oid: '1.3.6.1.2.1.1.3',
      scalarType: snmp.ObjectType.TimeTicks, maxAccess: snmp.MaxAccess['read-only'],
    });
    mib.setScalarValue('sysUpTime', 1000);
    const a = agent as unknown as { getRequest: (socket: unknown, msg: RequestMessage, rinfo: { port: number }) => void };
    const original = a.getRequest.bind(agent);
    a.getRequest = (socket, msg, rinfo) => {
      const target = String(msg.community ?? '').replace(/^c-/, '');
      if (msg.pdu?.varbinds?.some((vb) => vb.oid === SYS_UPTIME)) this.polls.push({ target, at: Date.now(), port: rinfo.port });
      if (this.silent.has(target)) return;
      mib.setScalarValue('sysUpTime', Math.floor(process.uptime() * 100));
      original(socket, msg, rinfo);
    };
    this.agent = agent;
  }

  /** Polls seen in [from, to). */
  between(from: number, to = Infinity): PollSeen[] {
    return this.polls.filter((p) => p.at >= from && p.at < to);
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.agent ? this.agent.close(() => resolve()) : resolve()));
  }
}

interface RequestMessage {
  community?: string | Buffer;
  pdu?: { varbinds?: Array<{ oid: string }> };
}

/** Which process owns each local UDP port (only this user's processes are visible). */
export function pidsOfPorts(): Map<number, number> {
  const out = execFileSync('ss', ['-H', '-uanp'], { encoding: 'utf8' });
  const map = new Map<number, number>();
  for (const line of out.split('\n')) {
    const port = /:(\d+)\s+\S+:\*/.exec(line)?.[1];
    const pid = /pid=(\d+)/.exec(line)?.[1];
    if (port && pid) map.set(Number(port), Number(pid));
  }
  return map;
}
