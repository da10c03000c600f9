import type { KpidConfig } from '../config/load.js';
import { EmbeddedReportSource } from './embedded-report-source.js';
import { InfluxReportSource } from './influx-report-source.js';
import { influxReportOptions } from './report-options.js';
import { NoReportSource, type ReportSource } from './report-source.js';

/**
 * Where sample KPIs come from under a config: InfluxDB when
 * `storage.influx` is set (anything in retention), else the embedded daily
 * rollup in `state.sqlite` (what kpid saw since the rollup existed).
 */
export function reportSourceFor(config: Pick<KpidConfig, 'storage' | 'state'>): ReportSource {
  const influx = config.storage.influx;
  if (influx) {
    return new InfluxReportSource(influxReportOptions(influx, 'sqlite' in config.state ? config.state.sqlite : undefined));
  }
  if ('sqlite' in config.state) return new EmbeddedReportSource(config.state.sqlite);
  return new NoReportSource('no sample source: state is in Redis and storage.influx is not configured, so only the outage ledger is reported');
}
