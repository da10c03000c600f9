import type { Route } from '../core/route.js';
import type { ClusterMode } from './cluster-mode.js';

/**
 * GET /api/v1/cluster: whether cluster mode is on and, when it is, the live
 * members (the status page lists them). Outside cluster mode: `{ enabled: false }`.
 */
export function clusterRoute(cluster: () => ClusterMode | undefined): Route {
  return {
    method: 'GET', path: '/api/v1/cluster', auth: true,
    handler: () => {
      const c = cluster();
      return { status: 200, body: c ? { enabled: true, ...c.status() } : { enabled: false } };
    },
  };
}
