import type { InfluxStorageConfig } from '../config/sections/storage.js';
import type { InfluxReportOptions } from './influx-report-source.js';

/**
 * The report's InfluxDB options from the validated `storage.influx` section:
 * the one place src/report/ reads its YAML names.
 */
export function influxReportOptions(influx: InfluxStorageConfig, stateFile: string | undefined): InfluxReportOptions {
  return {
    url: influx.url,
    database: influx.database,
    // kpid writes to this policy only when it created it (retention set); otherwise to the default.
    ...(influx.retention !== undefined ? { retentionPolicy: influx.retention_policy } : {}),
    ...(influx.username !== undefined ? { username: influx.username } : {}),
    ...(influx.password !== undefined ? { password: influx.password } : {}),
    // A report's queries span months; a write's timeout would be too short for them.
    timeoutMs: Math.max(influx.timeout, 30_000),
    ...(stateFile !== undefined ? { stateFile } : {}),
  };
}
