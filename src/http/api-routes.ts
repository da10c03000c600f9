import type { Registry } from 'prom-client';
import type { Sample } from '../core/sample.js';
import { IngestRefused, type PushIngest } from '../collectors/ingest/push-ingest.js';
import type { AlertKeeper } from '../alerts/alert-keeper.js';
import type { SilenceKeeper } from '../alerts/silence-keeper.js';
import { HttpError } from './http-error.js';
import { silenceRoutes } from './silence-routes.js';
import type { Request, Route } from './router.js';

/** What the HTTP API reaches into; each part may be absent while kpid starts or stops. */
export interface ApiDeps {
  readonly registry: Registry;
  readonly ready: () => { ok: boolean; reasons: string[]; warnings?: string[] };
  readonly reload: (opts: { force: boolean }) => Promise<{ ok: boolean; errors: readonly string[]; refused?: boolean; targets: number }>;
  readonly ingest: () => { parser: PushIngest; maxBodyBytes: number } | undefined;
  readonly publish: (samples: readonly Sample[]) => void;
  readonly alerting: () => AlertKeeper | undefined;
  /** Tells notify an alert was acknowledged (stops escalation); false when notify never heard of it. */
  readonly ackNotifications: (fingerprint: string, by: string) => boolean;
  /** Silences and maintenance windows; absent until the state store is open. */
  readonly silences?: () => SilenceKeeper | undefined;
}

/** /metrics, health, and /api/v1: the contract in SPEC.md. */
export function apiRoutes(d: ApiDeps): Route[] {
  const alerting = (): AlertKeeper => {
    const a = d.alerting();
    if (!a) throw new HttpError(503, 'not_ready', 'alerting is not running yet');
    return a;
  };
  return [
    {
      method: 'GET', path: '/metrics', auth: false,
      handler: async () => ({ status: 200, body: await d.registry.metrics(), contentType: d.registry.contentType }),
    },
    { method: 'GET', path: '/healthz', auth: false, handler: () => ({ status: 200, body: 'ok\n' }) },
    {
      method: 'GET', path: '/readyz', auth: false,
      handler: () => {
        const r = d.ready();
        const warnings = (r.warnings ?? []).map((w) => `warning: ${w}\n`).join('');
        return r.ok ? { status: 200, body: `ready\n${warnings}` } : { status: 503, body: `not ready: ${r.reasons.join('; ')}\n${warnings}` };
      },
    },
    {
      method: 'POST', path: '/api/v1/reload', auth: true,
      handler: async (req) => {
        const force = req.query.get('force');
        const result = await d.reload({ force: force === '1' || force === 'true' });
        if (result.refused) throw new HttpError(409, 'reload_refused', 'reload refused; the previous config keeps running (add ?force=1 to apply it)', result.errors);
        if (!result.ok) throw new HttpError(422, 'config_invalid', 'config rejected; the previous config keeps running', result.errors);
        return { status: 200, body: { status: 'reloaded', targets: result.targets } };
      },
    },
    { method: 'POST', path: '/api/v1/ingest', auth: true, handler: (req) => ingest(d, req) },
    { method: 'GET', path: '/api/v1/alerts', auth: true, handler: () => ({ status: 200, body: { alerts: alerting().alerts() } }) },
    {
      method: 'GET', path: '/api/v1/outages', auth: true,
      handler: () => ({ status: 200, body: { outages: alerting().outages(), availability: alerting().availability() } }),
    },
    {
      method: 'POST', path: '/api/v1/alerts/:id/ack', auth: true,
      handler: async (req) => {
        const body = (await req.json()) as { by?: unknown; comment?: unknown };
        if (body === null || typeof body !== 'object') throw new HttpError(400, 'bad_body', 'body must be a JSON object { by, comment }');
        if (body.by !== undefined && typeof body.by !== 'string') throw new HttpError(400, 'bad_body', '"by" must be a string');
        if (body.comment !== undefined && typeof body.comment !== 'string') throw new HttpError(400, 'bad_body', '"comment" must be a string');
        const by = (body.by as string | undefined) ?? 'api';
        const id = req.params.id!;
        const known = await alerting().acknowledge(id, by, body.comment as string | undefined);
        const notified = d.ackNotifications(id, by);
        if (!known && !notified) throw new HttpError(404, 'unknown_alert', `no active alert or outage has id "${id}"`);
        return { status: 200, body: { acknowledged: id, by } };
      },
    },
    ...silenceRoutes(() => d.silences?.()),
  ];
}

async function ingest(d: ApiDeps, req: Request) {
  const ing = d.ingest();
  if (!ing) throw new HttpError(503, 'not_ready', 'ingest is not running yet');
  const body = (await req.body(ing.maxBodyBytes)).toString('utf8');
  try {
    const result = ing.parser.parse(body, String(req.raw.headers['content-type'] ?? ''), req.query.get('precision'));
    d.publish(result.samples);
    const answer = { accepted: result.accepted, rejected: result.rejected };
    if (result.accepted > 0 || result.rejected.length === 0) return { status: 200, body: answer };
    // Nothing taken because kpid holds as many series as it may: a client should slow down, not fix its syntax.
    const limited = result.rejected.find((r) => r.limit);
    if (!limited) return { status: 400, body: answer };
    return { status: 429, body: { ...answer, error: { code: 'cardinality_limit', limit: limited.limit, message: limited.reason } } };
  } catch (err) {
    if (err instanceof IngestRefused) throw new HttpError(err.status, err.code, err.message);
    throw err;
  }
}
