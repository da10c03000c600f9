import { execFileSync } from 'node:child_process';

/**
 * A test host in a network namespace of the test's own, reached over a veth
 * pair. Addresses come from 198.18.0.0/15, the range RFC 2544 sets aside for
 * benchmarking, so no real network is ever addressed; traffic never leaves
 * this machine.
 */
export interface TestHost {
  readonly ns: string;
  /** Address of the host inside the namespace. */
  readonly address: string;
  /** An address on the same link that nobody answers for. */
  readonly silentAddress: string;
  /** Runs a command inside the namespace. */
  exec(cmd: string, args: string[], input?: string): string;
  /** Drops about `percent` % of ICMP packets arriving at the host (nft numgen random). */
  dropIcmp(percent: number): void;
  remove(): void;
}

function run(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

/**
 * Creates a namespace for `name` with host address 198.18.x.2 (this side is
 * .1). Name and subnet carry this process's id, so two test runs on one
 * machine (two clones, or a developer's run beside CI) never take each
 * other's namespace or route. `subnet` keeps one process's hosts apart.
 */
export function createTestHost(name: string, subnet: number): TestHost {
  const tag = (process.pid % 1296).toString(36).padStart(2, '0');
  name = `${name.slice(0, 10)}${tag}`;
  const hostSide = `${name}h`;
  const nsSide = `${name}n`;
  removeQuietly(name, hostSide);
  const slot = (subnet + (process.pid % 97) * 5) % 512;
  const prefix = `198.${18 + (slot >> 8)}.${slot & 255}`;
  run('ip', ['netns', 'add', name]);
  try {
    run('ip', ['link', 'add', hostSide, 'type', 'veth', 'peer', 'name', nsSide]);
    run('ip', ['link', 'set', nsSide, 'netns', name]);
    run('ip', ['addr', 'add', `${prefix}.1/24`, 'dev', hostSide]);
    run('ip', ['link', 'set', hostSide, 'up']);
    run('ip', ['-n', name, 'addr', 'add', `${prefix}.2/24`, 'dev', nsSide]);
    run('ip', ['-n', name, 'link', 'set', nsSide, 'up']);
    run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  } catch (err) {
    removeQuietly(name, hostSide);
    throw err;
  }
  const exec = (cmd: string, args: string[], input?: string) => run('ip', ['netns', 'exec', name, cmd, ...args], input);
  return {
    ns: name,
    address: `${prefix}.2`,
    silentAddress: `${prefix}.3`,
    exec,
    dropIcmp(percent: number) {
      // numgen random mod 100 < percent: each packet dropped with probability percent/100.
      exec('nft', ['-f', '-'], [
        'table inet kpidloss {',
        '  chain in { type filter hook input priority 0; }',
        '}',
        `add rule inet kpidloss in ip protocol icmp numgen random mod 100 < ${percent} drop`,
        '',
      ].join('\n'));
    },
    remove: () => removeQuietly(name, hostSide),
  };
}

function removeQuietly(ns: string, link: string): void {
  for (const args of [['netns', 'del', ns], ['link', 'del', link]]) {
    try {
      run('ip', args);
    } catch {
      // already gone
    }
  }
}

/** Whether this process may create namespaces (root with iproute2). */
export function canCreateNamespaces(): boolean {
  try {
    return process.getuid?.() === 0 && !!run('ip', ['-V']);
  } catch {
    return false;
  }
}

/** HTTP status of a GET made by curl inside the namespace (a client on another host), with a bearer token if given. */
export function statusFromHost(host: TestHost, url: string, token?: string): number {
  return Number(host.exec('curl', [
    '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '10',
    ...(token ? ['-H', `Authorization: Bearer ${token}`] : []),
    url,
  ]));
}
