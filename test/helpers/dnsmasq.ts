import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/** A real resolver (Debian `dnsmasq-base`) answering from the test's own records. */
export interface Dnsmasq {
  readonly address: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** A port free for both UDP and TCP right now on `address`. */
export async function freeDnsPort(address = '127.0.0.1'): Promise<number> {
  for (;;) {
    const tcp = createServer();
    await new Promise<void>((r) => tcp.listen(0, address, r));
    const port = (tcp.address() as { port: number }).port;
    await new Promise((r) => tcp.close(r));
    const udp = createSocket('udp4');
    const free = await new Promise<boolean>((r) => {
      udp.once('error', () => r(false));
      udp.bind(port, address, () => r(true));
    });
    udp.close();
    if (free) return port;
  }
}

/**
 * Starts dnsmasq in the foreground with no system files (no resolv.conf, no
 * /etc/hosts), listening on `address:port` only; `args` are its records
 * (`--host-record=`, `--address=`, `--txt-record=`, `--server=`, `--local=`).
 * `prefix` runs it inside a namespace (`['ip', 'netns', 'exec', NS]`).
 * Resolves once it answers a query.
 */
export async function startDnsmasq(
  args: string[],
  opts: { address?: string; port?: number; prefix?: string[] } = {},
): Promise<Dnsmasq> {
  const address = opts.address ?? '127.0.0.1';
  const port = opts.port ?? (await freeDnsPort(address));
  const command = [
    ...(opts.prefix ?? []), 'dnsmasq', '--keep-in-foreground', '--no-resolv', '--no-hosts', '--no-daemon',
    `--port=${port}`, `--listen-address=${address}`, '--bind-interfaces', '--pid-file=',
    '--conf-file=/dev/null', '--log-facility=-', ...args,
  ];
  const proc: ChildProcess = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const reap = () => proc.kill('SIGKILL');
  process.once('exit', reap);
  proc.once('exit', () => process.off('exit', reap));
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 10_000;
  while (!(await answers(address, port))) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`dnsmasq did not start on ${address}#${port}: ${stderr}`);
    }
  }
  return { address, port, stop };
}

/** Whether anything answers a DNS query (any rcode) on address#port within 200 ms. */
function answers(address: string, port: number): Promise<boolean> {
  // A bare header with QDCOUNT 0: every server answers it with some rcode.
  const query = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
  const socket = createSocket('udp4');
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 200);
    socket.on('message', () => done(true));
    socket.on('error', () => done(false));
    socket.send(query, port, address);
  });
}
