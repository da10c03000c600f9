import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createTestHost, type TestHost } from './netns.js';
import { probeName } from '../../src/config/probe-name.js';
import { throughputProbe } from '../../src/collectors/throughput/throughput-config.js';
import type { Target } from '../../src/core/target.js';

const SERVER = resolve(import.meta.dirname, 'bulk-http-server.mjs');

const run = (cmd: string, args: string[], input?: string) =>
  execFileSync(cmd, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });

/** Resolves with `port` once the child prints a line matching `ready`; rejects if it exits first. */
function listening(child: ChildProcess, ready: RegExp, what: string): Promise<RegExpExecArray> {
  return new Promise((ok, fail) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = ready.exec(out);
      if (m) ok(m);
    });
    child.once('exit', (code) => fail(new Error(`${what} exited with ${code}`)));
  });
}

async function startIperf3(host: TestHost, port: number, children: Set<ChildProcess>): Promise<{ stop(): Promise<void> }> {
  // --forceflush: its "Server listening" line would otherwise wait in a pipe buffer.
  const server = spawn('ip', ['netns', 'exec', host.ns, 'iperf3', '-s', '-B', host.address, '-p', String(port), '--forceflush'],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(server);
  await listening(server, /Server listening on/, 'iperf3 server');
  return {
    // Resolves once the server is gone: a client started the moment after kill() could still
    // reach the dying server and fail some other way than "refused" (seen once under load).
    async stop() {
      children.delete(server);
      if (server.exitCode !== null || server.signalCode !== null) return;
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGKILL');
      await exited;
    },
  };
}

/** A namespace with an HTTP server in it, reached over a veth pair whose server side is shaped by tbf. */
export interface ShapedLink {
  readonly host: TestHost;
  /** http://ADDRESS:PORT of the bulk server inside the namespace. */
  readonly base: string;
  /** Shapes the server's sending side to `mbit` Mbit/s with tbf (replacing any earlier shaping). */
  shape(mbit: number): void;
  /** Starts `iperf3 -s` inside the namespace on the server's address; resolves once it listens. */
  startIperf3(port: number): Promise<{ stop(): Promise<void> }>;
  /** Loses about `percent` % of the TCP segments the namespace sends, as a lossy link would; replaces an earlier loss. */
  loseTcp(percent: number): void;
  /** TCP packets loseTcp has dropped so far. */
  lostTcp(): number;
  stop(): void;
}

/** A target for a throughput probe (only its address matters to the probe). */
export function probeTarget(address = '0.0.0.0'): Target {
  return { name: 'edge', site: 'lab', address, labels: {}, interval: 60_000, timeout: 30_000, probes: [] };
}

/** A throughput probe as config gives it to its collector: parsed, with its name. */
export function probeSpec(fields: Record<string, unknown>) {
  const spec = throughputProbe.parse({ type: 'throughput', ...fields });
  return { ...spec, name: probeName(spec) };
}

/**
 * Goodput a bulk TCP download gets through tbf at `mbit`: tbf counts every
 * byte of the frame it sends (skb length: 14 Ethernet + 20 IP + 32 TCP with
 * timestamps + 1448 payload = 1514 at MTU 1500), the application sees only
 * the 1448 payload bytes.
 */
export function expectedGoodput(mbit: number): number {
  return mbit * 1e6 * (1448 / 1514);
}

export async function startShapedLink(name: string, subnet: number): Promise<ShapedLink> {
  const host = createTestHost(name, subnet);
  const server: ChildProcess = spawn('ip', ['netns', 'exec', host.ns, process.execPath, SERVER, host.address],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  const children = new Set<ChildProcess>([server]);
  const reap = () => children.forEach((c) => c.kill('SIGKILL'));
  process.once('exit', reap);
  const port = await listening(server, /listening (\d+)/, 'bulk server').then((m) => Number(m[1])).catch((err) => {
    host.remove();
    throw err;
  });
  const nsSide = `${host.ns}n`;
  const hostSide = `${host.ns}h`;
  const lossTable = `kpidloss_${host.ns}`;
  const dropLossTable = () => {
    try {
      run('nft', ['delete', 'table', 'netdev', lossTable]);
    } catch {
      // no loss was set on this link
    }
  };
  return {
    host,
    base: `http://${host.address}:${port}`,
    shape(mbit: number) {
      // A burst of 20 ms at the rate: with less, tbf undershoots its rate at 400 Mbit/s on this kernel
      // (curl read 374 Mbit/s with 10 ms, 385 with 20 ms). Its effect on a 2.5 s transfer is under 1 %.
      const burstKb = Math.max(128, Math.ceil((mbit * 1e6 * 0.02) / 8 / 1024));
      host.exec('tc', ['qdisc', 'replace', 'dev', nsSide, 'root', 'tbf', 'rate', `${mbit}mbit`, 'burst', `${burstKb}kb`, 'latency', '50ms']);
    },
    startIperf3: (port) => startIperf3(host, port, children),
    loseTcp(percent: number) {
      // Dropped where the segments arrive, after the shaper: a drop on the sending side (output or egress hook)
      // is reported back to the sender's TCP as local congestion and resent at once, not lost. One segment per
      // packet (gso_max_segs 1), or a drop would take a whole 64 kB GSO burst and the rate would not be per
      // segment. The table is on this link's own device only.
      host.exec('ip', ['link', 'set', 'dev', nsSide, 'gso_max_segs', '1']);
      dropLossTable();
      run('nft', ['-f', '-'], [
        `table netdev ${lossTable} {`,
        `  chain in { type filter hook ingress device "${hostSide}" priority 0;`,
        `    ip protocol tcp numgen random mod 100 < ${percent} counter drop`,
        '  }',
        '}',
        '',
      ].join('\n'));
    },
    lostTcp() {
      const m = /counter packets (\d+)/.exec(run('nft', ['list', 'table', 'netdev', lossTable]));
      return m ? Number(m[1]) : 0;
    },
    stop() {
      reap();
      process.off('exit', reap);
      dropLossTable();
      host.remove();
    },
  };
}
