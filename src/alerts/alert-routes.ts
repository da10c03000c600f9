import { HttpError } from '../core/http-error.js';
import type { Route } from '../core/route.js';
import type { AlertKeeper } from './alert-keeper.js';

export interface AlertRouteDeps {
  /** The keeper, once alerting runs. */
  readonly alerts: () => AlertKeeper | undefined;
  /** Tells notify an alert was acknowledged (stops escalation); false when notify never heard of it. */
  readonly ackNotifications: (fingerprint: string, by: string) => boolean;
}

/** GET /api/v1/alerts, GET /api/v1/outages, GET /api/v1/kpis and POST /api/v1/alerts/:id/ack (SPEC.md). */
export function alertRoutes(d: AlertRouteDeps): Route[] {
  const alerting = (): AlertKeeper => {
    const a = d.alerts();
    if (!a) throw new HttpError(503, 'not_ready', 'alerting is not running yet');
    return a;
  };
  return [
    { method: 'GET', path: '/api/v1/alerts', auth: true, handler: () => ({ status: 200, body: { alerts: alerting().alerts() } }) },
    {
      method: 'GET', path: '/api/v1/outages', auth: true,
      handler: () => ({ status: 200, body: { outages: alerting().outages(), availability: alerting().availability() } }),
    },
    { method: 'GET', path: '/api/v1/kpis', auth: true, handler: () => ({ status: 200, body: { kpis: alerting().kpis() } }) },
    {
      method: 'POST', path: '/api/v1/alerts/:id/ack', auth: true,
      handler: async (req) => {
        const body = (await req.json()) as { by?: unknown; comment?: unknown };
        if (body === null || typeof body !== 'object') throw new HttpError(400, 'bad_body', 'body must be a JSON object { by, comment }');
        if (body.by !== undefined && typeof body.by !== 'string') throw new HttpError(400, 'bad_body', '"by" must be a string');
        if (body.comment !== undefined && typeof body.comment !== 'string') throw new HttpError(400, 'bad_body', '"comment" must be a string');
        const by = (body.by as string | undefined) ?? 'api';
        const id = req.params.id!;
        if (!(await acknowledge(alerting(), d, id, by, body.comment as string | undefined))) {
          throw new HttpError(404, 'unknown_alert', `no active alert or outage has id "${id}"`);
        }
        return { status: 200, body: { acknowledged: id, by } };
      },
    },
  ];
}

/**
 * What an ack does, by the API or a one-tap link alike: the keeper records
 * it (state store) and notify stops the escalation. False when neither knew `id`.
 */
export async function acknowledge(alerting: AlertKeeper, d: Pick<AlertRouteDeps, 'ackNotifications'>, id: string, by: string, comment?: string): Promise<boolean> {
  const known = await alerting.acknowledge(id, by, comment);
  const notified = d.ackNotifications(id, by);
  return known || notified;
}
