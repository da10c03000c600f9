import type { Registry } from 'prom-client';
import type { AlertKeeper } from '../alerts/alert-keeper.js';
import type { SilenceKeeper } from '../alerts/silence-keeper.js';
import type { StateStore } from '../alerts/state/state-store.js';
import type { PushIngest } from '../collectors/ingest/push-ingest.js';
import type { KpidConfig } from '../config/load.js';
import type { Clock } from '../core/clock.js';
import { KpiCatalogue } from '../core/kpi-catalogue.js';
import type { Logger } from '../core/logger.js';
import type { Sample } from '../core/sample.js';
import type { AckCodes } from '../alerts/ack-code.js';
import { ackLinkRoutes } from '../alerts/ack-link-routes.js';
import { alertRoutes } from '../alerts/alert-routes.js';
import { silenceRoutes } from '../alerts/silence-routes.js';
import type { ClusterMode } from '../cluster/cluster-mode.js';
import { clusterRoute } from '../cluster/cluster-route.js';
import { ingestRoute } from '../collectors/ingest/ingest-route.js';
import { apiRoutes } from '../http/api-routes.js';
import { HttpServer } from '../http/server.js';
import { pageRoutes } from '../http/page/page-routes.js';
import { reportSourceFor } from '../report/report-inputs.js';
import { reportRoute } from '../report/report-route.js';

/** What the HTTP server reads, each lazily: a part is absent while kpid starts or stops. */
export interface HttpDeps {
  readonly clock: Clock;
  readonly log: Logger;
  readonly registry: Registry;
  readonly config: () => KpidConfig | undefined;
  readonly ready: () => { ok: boolean; reasons: string[]; warnings: string[] };
  readonly reload: (opts: { force: boolean }) => Promise<{ ok: boolean; errors: readonly string[]; refused?: boolean }>;
  /** The API token as read at start (a reload never changes it). */
  readonly apiToken: () => string | undefined;
  readonly ingest: () => PushIngest | undefined;
  readonly publish: (samples: readonly Sample[], lifetime: number) => void;
  readonly alerts: () => AlertKeeper | undefined;
  readonly stateStore: () => StateStore | undefined;
  readonly ackNotifications: (id: string, by: string) => boolean;
  readonly silences: () => SilenceKeeper | undefined;
  /** The signer of one-tap ack links, once its key is loaded. */
  readonly ackCodes: () => AckCodes | undefined;
  /** Cluster membership; undefined outside cluster mode. */
  readonly cluster: () => ClusterMode | undefined;
}

/** kpid's own routes and each stage's (ingest, alerts, silences, report), built once: every dependency is read lazily, so the list never goes stale. */
export function httpServer(d: HttpDeps): HttpServer {
  const config = (): KpidConfig => d.config()!;
  const routes = [
    ...apiRoutes({ registry: d.registry, ready: d.ready, reload: async (opts) => ({ ...(await d.reload(opts)), targets: config().targets.length }) }),
    ingestRoute({
      ingest: () => {
        const parser = d.ingest();
        return parser && { parser, maxBodyBytes: config().ingest.max_body_bytes };
      },
      publish: d.publish,
    }),
    ...alertRoutes({ alerts: d.alerts, ackNotifications: d.ackNotifications }),
    ...ackLinkRoutes({
      alerts: d.alerts, ackNotifications: d.ackNotifications, codes: d.ackCodes, store: d.stateStore,
      publicUrl: () => config().server.public_url ?? config().notify?.external_url, clock: d.clock,
    }),
    ...silenceRoutes(d.silences),
    clusterRoute(d.cluster),
    ...pageRoutes(),
  ].concat(reportRoute({
    catalogue: () => new KpiCatalogue(config().kpis),
    store: d.stateStore,
    samples: () => reportSourceFor(config()),
    clock: d.clock,
  }));
  return new HttpServer({ apiToken: d.apiToken, log: d.log, routes: () => routes });
}
