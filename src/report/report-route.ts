import type { StateStore } from '../alerts/state/state-store.js';
import type { Clock } from '../core/clock.js';
import { KpidError } from '../core/errors.js';
import { HttpError } from '../core/http-error.js';
import type { Route } from '../core/route.js';
import type { KpiCatalogue } from '../core/kpi-catalogue.js';
import { buildReport } from './build-report.js';
import { ReportArgumentError, parseReportPeriod } from './period.js';
import { CONTENT_TYPES, isReportFormat, renderReport, REPORT_FORMATS } from './render.js';
import type { ReportSource } from './report-source.js';

export interface ReportRouteDeps {
  /** The catalogue in force (changes with a reload). */
  readonly catalogue: () => KpiCatalogue;
  /** The outage ledger's store; undefined while the alert runtime is not up. */
  readonly store: () => StateStore | undefined;
  /** A source of sample KPIs for one request, e.g. `() => reportSourceFor(config)`; the route closes it after use. */
  readonly samples: () => ReportSource;
  readonly clock: Clock;
}

/**
 * `GET /api/v1/report?from=DATE&to=DATE[&format=json|md|csv|html]`: the
 * compliance report; JSON by default. Bad parameters get a 400 naming
 * the parameter.
 */
export function reportRoute(deps: ReportRouteDeps): Route {
  return {
    method: 'GET',
    path: '/api/v1/report',
    auth: true,
    handler: async (req) => {
      const format = req.query.get('format') ?? 'json';
      let period: { from: number; to: number };
      try {
        if (!isReportFormat(format)) throw new ReportArgumentError('format', `"${format}" is not a format; use ${REPORT_FORMATS.join(', ')}`);
        period = parseReportPeriod(req.query.get('from') ?? undefined, req.query.get('to') ?? undefined, { from: 'from', to: 'to' });
      } catch (err) {
        if (err instanceof ReportArgumentError) throw new HttpError(400, 'invalid_parameter', err.message, { parameter: err.argument });
        throw err;
      }
      const store = deps.store();
      if (!store) throw new HttpError(503, 'state_unavailable', 'the outage ledger is not open yet; try again shortly');
      const samples = deps.samples();
      try {
        const report = await buildReport({ ...period, catalogue: deps.catalogue(), store, samples, now: deps.clock.now() });
        if (format === 'json') return { status: 200, body: report };
        return { status: 200, body: renderReport(report, format), contentType: CONTENT_TYPES[format] };
      } catch (err) {
        if (err instanceof KpidError && err.code.startsWith('influx_')) throw new HttpError(502, err.code, err.message);
        throw err;
      } finally {
        await samples.close();
      }
    },
  };
}
