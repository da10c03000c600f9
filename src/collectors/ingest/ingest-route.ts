import { HttpError } from '../../core/http-error.js';
import type { Route } from '../../core/route.js';
import type { Sample } from '../../core/sample.js';
import { IngestRefused, type PushIngest } from './push-ingest.js';

export interface IngestRouteDeps {
  /** The parser and the body limit, once the config set them. */
  readonly ingest: () => { parser: PushIngest; maxBodyBytes: number } | undefined;
  /** `lifetime`: how long pushed series live without a sample (ingest.series_idle_expiry). */
  readonly publish: (samples: readonly Sample[], lifetime: number) => void;
}

/** POST /api/v1/ingest: line protocol or JSON samples into the pipeline (docs/ingest.md). */
export function ingestRoute(d: IngestRouteDeps): Route {
  return {
    method: 'POST', path: '/api/v1/ingest', auth: true,
    handler: async (req) => {
      const ing = d.ingest();
      if (!ing) throw new HttpError(503, 'not_ready', 'ingest is not running yet');
      const body = (await req.body(ing.maxBodyBytes)).toString('utf8');
      try {
        const result = ing.parser.parse(body, String(req.raw.headers['content-type'] ?? ''), req.query.get('precision'));
        d.publish(result.samples, ing.parser.seriesLifetime);
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
    },
  };
}
