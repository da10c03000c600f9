import type { Registry } from 'prom-client';
import { HttpError } from '../core/http-error.js';
import type { Route } from '../core/route.js';
import { renderMetrics } from './exposition.js';

/** What kpid's own routes reach into. */
export interface ApiDeps {
  readonly registry: Registry;
  readonly ready: () => { ok: boolean; reasons: string[]; warnings?: string[] };
  readonly reload: (opts: { force: boolean }) => Promise<{ ok: boolean; errors: readonly string[]; refused?: boolean; targets: number }>;
}

/** /metrics, health and POST /api/v1/reload (SPEC.md); the stages add their own routes. */
export function apiRoutes(d: ApiDeps): Route[] {
  return [
    {
      method: 'GET', path: '/metrics', auth: false,
      handler: async () => ({ status: 200, body: await renderMetrics(d.registry), contentType: d.registry.contentType }),
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
  ];
}
