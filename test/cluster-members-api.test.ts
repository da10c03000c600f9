import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startKpid, type KpidProcess } from './helpers/kpid-process.js';
import { deletePrefix, SHARED_REDIS, uniquePrefix } from './helpers/redis.js';

/** GET /api/v1/cluster, which the status page lists the members from, on two real cluster members. */
describe('GET /api/v1/cluster: the live members of the cluster', () => {
  const prefix = uniquePrefix('members');
  const kpids = new Map<string, KpidProcess>();
  const config = (id: string) => `server: { listen: "127.0.0.1:0" }
cluster: { enabled: true, redis: "${SHARED_REDIS}", key_prefix: "${prefix}", lease_ttl: 2s, heartbeat: 500ms, instance_id: ${id} }
allow_empty_targets: true
targets: []
`;
  type Cluster = { enabled: boolean; instance?: string; members?: string[]; redisUp?: boolean; ownedTargets?: number };
  const cluster = async (id: string) => (await (await fetch(`${kpids.get(id)!.url}/api/v1/cluster`)).json()) as Cluster;

  beforeAll(async () => {
    for (const id of ['noc-a', 'noc-b']) kpids.set(id, await startKpid(config(id)));
  }, 60_000);
  afterAll(async () => {
    for (const k of kpids.values()) await k.stop();
    await deletePrefix(SHARED_REDIS, prefix);
  });

  it('each member names itself and lists both', async () => {
    for (const id of ['noc-a', 'noc-b']) {
      const c = await eventually(async () => {
        const now = await cluster(id);
        return now.members?.length === 2 && now;
      }, 15_000, 200);
      expect(c).toEqual({ enabled: true, instance: id, members: ['noc-a', 'noc-b'], redisUp: true, ownedTargets: 0 });
    }
  });

  it('a member that stops leaves the list once its lease lapses', async () => {
    await kpids.get('noc-b')!.stop();
    kpids.delete('noc-b');
    const c = await eventually(async () => {
      const now = await cluster('noc-a');
      return now.members?.length === 1 && now;
    }, 15_000, 200);
    expect(c.members).toEqual(['noc-a']);
  });

  it('outside cluster mode the answer says so', async () => {
    const single = await startKpid('server: { listen: "127.0.0.1:0" }\nallow_empty_targets: true\ntargets: []\n');
    try {
      expect(await (await fetch(`${single.url}/api/v1/cluster`)).json()).toEqual({ enabled: false });
    } finally {
      await single.stop();
    }
  });
});
