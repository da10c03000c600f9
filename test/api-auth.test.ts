import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKpid, type KpidProcess } from './helpers/kpid-process.js';
import { createTestHost, statusFromHost, type TestHost } from './helpers/netns.js';

const TOKEN = 'auth-test-token-0123456789';

/**
 * Who may call /api/v1: with no server.api_token only loopback clients; with
 * a token, only requests that carry it, from anywhere. The remote client is
 * curl run inside a network namespace, so the daemon sees a real
 * non-loopback source address (the namespace's end of a veth pair).
 */
describe('API access: loopback only without a token, the token from everywhere with one', () => {
  let host: TestHost;
  /** The daemon's address on the veth, as the namespace reaches it (netns.ts puts this side at .1). */
  let hostSide: string;
  /** HTTP status of a GET from inside the namespace. */
  const fromNamespace = (port: number, path: string, token?: string) => statusFromHost(host, `http://${hostSide}:${port}${path}`, token);
  const fromLoopback = async (address: string, port: number, path: string, token?: string) =>
    (await fetch(`http://${address}:${port}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {})).status;
  const port = (kpid: KpidProcess) => Number(new URL(kpid.url).port);

  beforeAll(() => {
    host = createTestHost('kpt-auth', 71);
    hostSide = host.address.replace(/\.2$/, '.1');
  });
  afterAll(() => host?.remove());

  describe('no api_token, listening on every address ([::], dual stack)', () => {
    let kpid: KpidProcess;
    beforeAll(async () => {
      kpid = await startKpid('server: { listen: "[::]:0" }\nallow_empty_targets: true\ntargets: []\n');
    });
    afterAll(async () => {
      await kpid?.stop();
    });

    it('a client on another host reaches /metrics but gets 403 from the API', () => {
      // /metrics answering proves the namespace reaches the daemon: the 403 is the rule, not the network.
      expect(fromNamespace(port(kpid), '/metrics')).toBe(200);
      expect(fromNamespace(port(kpid), '/api/v1/alerts')).toBe(403);
      expect(fromNamespace(port(kpid), '/api/v1/outages', 'any-guess')).toBe(403);
    });

    it('loopback clients, IPv4 (seen as ::ffff:127.0.0.1) and IPv6, get 200', async () => {
      expect(await fromLoopback('127.0.0.1', port(kpid), '/api/v1/alerts')).toBe(200);
      expect(await fromLoopback('[::1]', port(kpid), '/api/v1/alerts')).toBe(200);
    });
  });

  describe('with an api_token', () => {
    let kpid: KpidProcess;
    beforeAll(async () => {
      kpid = await startKpid('server: { listen: "0.0.0.0:0", api_token: "${KPID_API_TOKEN}" }\nallow_empty_targets: true\ntargets: []\n',
        { KPID_API_TOKEN: TOKEN });
    });
    afterAll(async () => {
      await kpid?.stop();
    });

    it('the token is required from another host, and accepted there', () => {
      expect(fromNamespace(port(kpid), '/api/v1/alerts')).toBe(401);
      expect(fromNamespace(port(kpid), '/api/v1/alerts', 'wrong-token-0123456789')).toBe(401);
      expect(fromNamespace(port(kpid), '/api/v1/alerts', TOKEN)).toBe(200);
    });

    it('the token is required from loopback too', async () => {
      expect(await fromLoopback('127.0.0.1', port(kpid), '/api/v1/alerts')).toBe(401);
      expect(await fromLoopback('127.0.0.1', port(kpid), '/api/v1/alerts', TOKEN)).toBe(200);
    });
  });
});
