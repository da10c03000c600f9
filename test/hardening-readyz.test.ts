import { afterAll, describe, expect, it } from 'vitest';
import { eventually, startKpid, type KpidProcess } from './helpers/kpid-process.js';
import { freeTcpPort, RedisServer } from './helpers/redis.js';

/**
 * Issue 14 §10: with the notification queue's Redis down at start, kpid
 * started and /readyz answered "ready", though no notification could be
 * queued. A real kpid and a real redis-server started later on the port the
 * config names.
 */
describe('/readyz with Redis down', () => {
  const redis = new RedisServer();
  let kpid: KpidProcess;
  afterAll(async () => {
    await kpid?.stop();
    await redis.cleanup();
  });
  const readyz = async () => {
    const res = await fetch(`${kpid.url}/readyz`);
    return { status: res.status, body: await res.text() };
  };

  it('is not ready while the queue Redis is down at start, becomes ready when it comes up, and not ready again when it goes down', async () => {
    redis.port = await freeTcpPort();
    kpid = await startKpid(`
server: { listen: "127.0.0.1:0" }
queue: { driver: bullmq, redis: "redis://127.0.0.1:${redis.port}", prefix: kpid-readyz }
notify:
  channels:
    noc-mail: { email: { smtp: { host: 127.0.0.1, port: 9, secure: false }, from: kpid@example.net, to: [noc@example.net] } }
  routes: [ { match: {}, channels: [noc-mail] } ]
allow_empty_targets: true
`);
    const down = `Redis unreachable (redis://127.0.0.1:${redis.port})`;
    expect(await readyz()).toEqual({ status: 503, body: expect.stringContaining(`not ready: ${down}`) });
    expect((await fetch(`${kpid.url}/healthz`)).status).toBe(200);

    await redis.start();
    expect(await eventually(async () => ((await readyz()).status === 200 ? readyz() : undefined), 15_000)).toEqual({ status: 200, body: expect.stringMatching(/^ready\n/) });

    await redis.stop('SIGKILL');
    expect(await eventually(async () => ((await readyz()).status === 503 ? readyz() : undefined), 15_000)).toEqual({ status: 503, body: expect.stringContaining(down) });
  });
});
