import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
 * .1). Test files run in parallel, and two runs may share the machine (two
 * clones, or a developer's run beside CI), so each host first claims a /24
 * slot of its own (see claimSlot); the namespace and link names carry the
 * slot, so they are unique too. `subnet` is only where the search starts.
 */
export function createTestHost(name: string, subnet: number): TestHost {
  const slot = claimSlot(subnet);
  name = `${name.slice(0, 10)}${slot.toString(36).padStart(2, '0')}`;
  const hostSide = `${name}h`;
  const nsSide = `${name}n`;
  removeQuietly(name, hostSide);
  writeFileSync(join(SLOTS, String(slot), 'names'), `${name} ${hostSide}`);
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
    releaseSlot(slot);
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
    remove: () => {
      removeQuietly(name, hostSide);
      releaseSlot(slot);
    },
  };
}

const SLOTS = join(tmpdir(), 'kpid-test-netns-slots');
// 198.18.0.0 – 198.19.191.255: the benchmarks keep 198.19.192.0/18 for their own links.
const SLOT_COUNT = 448;

/**
 * Claims one of 448 /24 slots in 198.18.0.0/15 for this process: mkdir is
 * atomic, so two processes never get the same slot. A slot whose owner has
 * died (a crashed or killed test run) is taken over.
 */
function claimSlot(start: number): number {
  mkdirSync(SLOTS, { recursive: true });
  for (let i = 0; i < SLOT_COUNT; i++) {
    const slot = (start + (process.pid % 97) * 5 + i) % SLOT_COUNT;
    const dir = join(SLOTS, String(slot));
    try {
      mkdirSync(dir);
    } catch {
      if (ownerAlive(dir)) continue;
      removeLeftovers(dir);
      rmSync(dir, { recursive: true, force: true });
      try {
        mkdirSync(dir);
      } catch {
        continue; // another process took it over first
      }
    }
    writeFileSync(join(dir, 'pid'), String(process.pid));
    return slot;
  }
  throw new Error(`no free test network slot: all ${SLOT_COUNT} in ${SLOTS} are held by live processes`);
}

function ownerAlive(dir: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
  } catch {
    // Claimed a moment ago and its pid not written yet, or never: alive unless old.
    try {
      return Date.now() - statSync(dir).mtimeMs < 10_000;
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A dead owner's namespace and link would keep the slot's addresses and routes. */
function removeLeftovers(dir: string): void {
  try {
    const [ns, link] = readFileSync(join(dir, 'names'), 'utf8').split(' ');
    if (ns && link) removeQuietly(ns, link);
  } catch {
    // it never got as far as creating them
  }
}

function releaseSlot(slot: number): void {
  rmSync(join(SLOTS, String(slot)), { recursive: true, force: true });
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
