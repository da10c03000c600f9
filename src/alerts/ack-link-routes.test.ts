import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import type { Reply, Request } from '../core/route.js';
import { AckCodes } from './ack-code.js';
import { ackLinkRoutes } from './ack-link-routes.js';
import type { AlertKeeper } from './alert-keeper.js';
import type { StateStore } from './state/state-store.js';

const FP = '3f9a0c1d2e4b5a67';
const OUTAGE = 'o-0123456789ab';
const MIN = 60_000;

/** The keeper as the routes read it: its API views, and acks recorded. */
function world() {
  const clock = new FakeClock(Date.parse('2026-12-02T03:00:00Z'));
  const acks: string[] = [];
  const alerts = [{ id: FP, rule: 'DeviceUnreachable', severity: 'critical', labels: { site: 'lab', target: 'lostdev' }, annotations: {}, firedAt: '2026-12-02T02:49:44.000Z', activeAt: null, outage: OUTAGE, acknowledged: null as null | { by: string; at: string } }];
  const outages = [{ id: OUTAGE, service: 'lab/lostdev', state: 'open', startedAt: '2026-12-02T02:49:15.000Z', acknowledged: null as null | { by: string; at: string }, sla: { remainingSeconds: 19 * 60 + 15, recoveryTargetSeconds: 1800, breached: false } }];
  const keeper = {
    alerts: () => alerts,
    outages: () => outages,
    acknowledge: async (id: string, by: string) => {
      acks.push(`${id} by ${by}`);
      const at = new Date(clock.now()).toISOString();
      for (const x of [...alerts, ...outages]) if (x.id === id) x.acknowledged = { by, at };
      return true;
    },
  } as unknown as AlertKeeper;
  const claimed = new Set<string>();
  const store = { claimNotification: async (id: string) => !claimed.has(id) && !!claimed.add(id) } as unknown as StateStore;
  const codes = new AckCodes({ key: 'routes-test-key-of-32-characters!!', clock });
  let ready = true;
  const [get, post] = ackLinkRoutes({
    alerts: () => (ready ? keeper : undefined), codes: () => (ready ? codes : undefined), store: () => store,
    ackNotifications: () => false, publicUrl: () => 'https://kpid.noc.example.net', clock,
  });
  const call = async (method: 'GET' | 'POST', code: string, body = 'by=bob'): Promise<Reply & { body: string }> => {
    const req: Request = {
      method, path: `/a/${code}`, query: new URLSearchParams(), params: { code },
      raw: { headers: { host: 'kpid.internal:9464' } } as IncomingMessage,
      body: async () => Buffer.from(body), json: async () => ({}),
    };
    return (await (method === 'GET' ? get! : post!).handler(req)) as Reply & { body: string };
  };
  return { clock, acks, alerts, outages, codes, call, setReady: (r: boolean) => (ready = r) };
}

describe('the /a/<code> pages', () => {
  it('an outage link (SLA warning and breach messages) shows the outage and its SLA clock, and acks the outage', async () => {
    const w = world();
    const code = w.codes.sign(OUTAGE);
    const page = await w.call('GET', code);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Acknowledge this outage?');
    expect(page.body).toContain('lab/lostdev (o-0123456789ab)');
    expect(page.body).toContain('19 min left of 30 min');
    expect(w.acks).toEqual([]);
    expect((await w.call('POST', code)).status).toBe(200);
    expect(w.acks).toEqual([`${OUTAGE} by bob`]);
  });

  it('a used code cannot ack again, even when the alert fired anew and is not acknowledged', async () => {
    const w = world();
    const code = w.codes.sign(FP);
    expect((await w.call('POST', code)).status).toBe(200);
    w.alerts[0]!.acknowledged = null; // resolved and fired again: a new, un-acked alert with the same fingerprint
    const again = await w.call('POST', code);
    expect(again.status).toBe(409);
    expect(again.body).toContain('This link was already used');
    expect(w.acks).toEqual([`${FP} by bob`]);
  });

  it('the name typed is who acked; an empty or control-character name reads "ack link"', async () => {
    const w = world();
    await w.call('POST', w.codes.sign(FP), 'by=%07%1B%20');
    expect(w.acks).toEqual([`${FP} by ack link`]);
  });

  it('an alert that resolved meanwhile: nothing to acknowledge (404), and nothing is acked', async () => {
    const w = world();
    const code = w.codes.sign(FP);
    w.alerts.length = 0;
    for (const method of ['GET', 'POST'] as const) expect(await w.call(method, code)).toMatchObject({ status: 404, body: expect.stringContaining('Nothing to acknowledge') });
    expect(w.acks).toEqual([]);
  });

  it('while kpid starts (no key yet) the page says to try again (503), and acks nothing', async () => {
    const w = world();
    const code = w.codes.sign(FP);
    w.setReady(false);
    expect(await w.call('POST', code)).toMatchObject({ status: 503, body: expect.stringContaining('kpid is starting') });
    expect(w.acks).toEqual([]);
  });
});
