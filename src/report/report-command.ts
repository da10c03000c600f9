import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SqliteStateStore } from '../alerts/state/sqlite-state-store.js';
import type { StateStore } from '../alerts/state/state-store.js';
import { ConfigError } from '../config/config-error.js';
import { loadConfig, type Env } from '../config/load.js';
import { KpidError, errorMessage } from '../core/errors.js';
import { KpiCatalogue } from '../core/kpi-catalogue.js';
import { buildReport } from './build-report.js';
import { ReportArgumentError, parseReportPeriod } from './period.js';
import { isReportFormat, renderReport, REPORT_FORMATS } from './render.js';
import { reportSourceFor } from './report-inputs.js';
import type { ReportSource } from './report-source.js';

export interface ReportIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env?: Env;
  /** When the report is made (tests); default Date.now(). */
  readonly now?: () => number;
}

export const REPORT_USAGE = `usage: kpid report --from DATE --to DATE [--format md|csv|json|html] [-c FILE] [--out FILE]

  --from DATE     start of the period, inclusive
  --to DATE       end of the period, exclusive
                  DATE is YYYY-MM-DD (UTC midnight) or ISO 8601 with a zone (2026-03-01T06:00:00Z)
  --format F      md (default), csv, json or html (printable, a chart per KPI)
  -c, --config F  config file (default config/kpid.yaml)
  --out FILE      write the report to FILE instead of standard output

exit status: 0 report written (whatever it says), 1 cannot report (config, state, InfluxDB), 2 bad arguments
`;

/**
 * `kpid report`: the compliance report for a period, from the config's
 * outage ledger (state.sqlite) and sample source (InfluxDB or the embedded
 * rollup). Returns the exit status; cli.ts exits with it.
 */
export async function runReportCommand(argv: readonly string[], io: ReportIo): Promise<number> {
  let args: { from: number; to: number; format: (typeof REPORT_FORMATS)[number]; config: string; out?: string };
  try {
    const parsed = parseCommandLine(argv);
    if (parsed === 'help') {
      io.stdout(REPORT_USAGE);
      return 0;
    }
    args = parsed;
  } catch (err) {
    io.stderr(`kpid report: ${errorMessage(err)}\n\n${REPORT_USAGE}`);
    return 2;
  }

  let store: StateStore | undefined;
  let samples: ReportSource | undefined;
  try {
    const config = loadConfig(args.config, io.env ?? process.env, { requireTargets: false });
    if (!('sqlite' in config.state)) {
      throw new KpidError('report_state_unsupported',
        'kpid report reads the outage ledger from state.sqlite; a Redis state store is not supported by the report yet', { key: 'state' });
    }
    if (!existsSync(config.state.sqlite)) {
      throw new KpidError('report_no_state',
        `the state database ${config.state.sqlite} (state.sqlite) does not exist: has kpid run with this config here?`, { file: config.state.sqlite });
    }
    store = new SqliteStateStore(config.state.sqlite);
    samples = reportSourceFor(config);
    const report = await buildReport({
      from: args.from, to: args.to, catalogue: new KpiCatalogue(config.kpis), store, samples,
      now: io.now?.() ?? Date.now(),
    });
    const text = renderReport(report, args.format);
    if (args.out) writeFileSync(args.out, text);
    else io.stdout(text);
    return 0;
  } catch (err) {
    io.stderr(`kpid report: ${err instanceof ConfigError ? err.message : errorMessage(err)}\n`);
    return 1;
  } finally {
    await samples?.close();
    await store?.close();
  }
}

function parseCommandLine(argv: readonly string[]) {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      allowPositionals: false,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        format: { type: 'string', default: 'md' },
        config: { type: 'string', short: 'c', default: 'config/kpid.yaml' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    // parseArgs names the option already ("Unknown option '--form'").
    throw new ReportArgumentError('arguments', errorMessage(err));
  }
  if (values.help) return 'help' as const;
  const format = values.format!;
  if (!isReportFormat(format)) throw new ReportArgumentError('--format', `"${format}" is not a format; use ${REPORT_FORMATS.join(', ')}`);
  if (values.out === '') throw new ReportArgumentError('--out', 'needs a file name');
  const period = parseReportPeriod(values.from, values.to, { from: '--from', to: '--to' });
  return { ...period, format, config: values.config!, ...(values.out ? { out: values.out } : {}) };
}
