import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';

const ROOT = resolve(import.meta.dirname, '..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');
const env = { KPID_API_TOKEN: 'a-token-of-sixteen-chars', KPID_INSTANCE_ID: 'kpid-2', SNMP_COMMUNITY: 'not-public' };
const cfg = (text: string) => parseConfig('kpid.yaml', `${text}\nallow_empty_targets: true\n`, env);
const errorOf = (text: string) => {
  try {
    cfg(text);
    return '';
  } catch (err) {
    return (err as Error).message;
  }
};

describe('cluster: config', () => {
  it('is off by default, and when on has a 10 s lease renewed every third of it, named hostname-pid', () => {
    expect(cfg('targets: []').cluster).toMatchObject({ enabled: false, lease_ttl: 10_000, heartbeat: 3_333, key_prefix: 'kpid:cluster:' });
    const on = cfg('cluster: { enabled: true, redis: "redis://127.0.0.1:6379" }').cluster;
    expect(on).toEqual({
      enabled: true, redis: 'redis://127.0.0.1:6379', key_prefix: 'kpid:cluster:', lease_ttl: 10_000, heartbeat: 3_333,
      instance_id: `${hostname()}-${process.pid}`,
    });
  });

  it.each([
    ['cluster: { enabled: true }', 'cluster.redis: cluster.enabled needs cluster.redis'],
    ['cluster: { enabled: true, redis: "redis://r:6379", lease_ttl: 3s, heartbeat: 2s }', 'cluster.heartbeat: heartbeat (2000ms) must be at most a third of lease_ttl (3000ms)'],
    ['cluster: { enabled: true, redis: "redis://r:6379", lease_ttl: 100ms }', 'cluster.lease_ttl: duration must be at least 500ms'],
    ['cluster: { enabled: true, redis: "redis://r:6379", lease: 3s }', 'lease'],
  ])('rejects %s', (text, message) => {
    expect(errorOf(text)).toContain(message);
  });

  it('config/examples/cluster.yaml is valid and uses Redis for state, queue and membership', () => {
    const c = parseConfig('cluster.yaml', read('config/examples/cluster.yaml'), env);
    expect(c.cluster).toMatchObject({ enabled: true, instance_id: 'kpid-2', lease_ttl: 10_000, heartbeat: 3_000 });
    expect(c.state).toEqual({ redis: c.cluster.redis });
    expect(c.queue).toMatchObject({ driver: 'bullmq', redis: c.cluster.redis });
  });
});

describe('docker-compose.cluster.yml', () => {
  type Service = { environment?: Record<string, string>; volumes?: string[]; ports?: string[]; command?: string[] };
  const compose = parse(read('docker-compose.cluster.yml'), { merge: true }) as { services: Record<string, Service> };
  const kpids = Object.entries(compose.services).filter(([n]) => n.startsWith('kpid-'));

  it('runs three kpid instances with distinct ids and host ports, all on the cluster config', () => {
    expect(kpids).toHaveLength(3);
    expect(new Set(kpids.map(([, s]) => s.environment?.KPID_INSTANCE_ID)).size).toBe(3);
    expect(new Set(kpids.map(([, s]) => s.ports?.[0]?.split(':')[1])).size).toBe(3);
    for (const [, s] of kpids) expect(s.volumes).toContain('./config/examples/cluster.yaml:/etc/kpid/kpid.yaml:ro');
  });

  it('runs Redis with the append-only file and noeviction', () => {
    const cmd = compose.services.redis!.command!.join(' ');
    expect(cmd).toContain('--appendonly yes');
    expect(cmd).toContain('--maxmemory-policy noeviction');
  });
});
