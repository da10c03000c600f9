import type { KpidConfig } from '../config/load.js';
import { EmbeddedReportSource } from './embedded-report-source.js';
import { InfluxReportSource } from './influx-report-source.js';
import { NoReportSource, type ReportSource } from './report-source.js';

/**
 * Where sample KPIs come from under a config: InfluxDB when
 * `storage.influx` is set (anything in retention), else the embedded daily
 * rollup in `state.sqlite` (what kpid saw since the rollup existed).
 */
export function reportSourceFor(config: Pick<KpidConfig, 'storage' | 'state'>): ReportSource {
  const influx = config.storage.influx;
  if (influx) {
    return new InfluxReportSource({
      url: influx.url,
      database: influx.database,
      // kpid writes to this policy only when it created it (retention set); otherwise to the default.
      ...(influx.retention !== undefined ? { retentionPolicy: influx.retention_policy } : {}),
      ...(influx.username !== undefined ? { username: influx.username } : {}),
      ...(influx.password !== undefined ? { password: influx.password } : {}),
      timeoutMs: Math.max(influx.timeout, 30_000),
      ...('sqlite' in config.state ? { stateFile: config.state.sqlite } : {}),
    });
  }
  if ('sqlite' in config.state) return new EmbeddedReportSource(config.state.sqlite);
  return new NoReportSource('no sample source: state is in Redis and storage.influx is not configured, so only the outage ledger is reported');
}
