/**
 * Where an InfluxDB 1.x database is and how to log in: what the writer
 * (src/store) and the report (src/report) both need. Each stage builds its
 * own options on this, from the config at its own edge.
 */
export interface InfluxConnection {
  /** Base URL, e.g. http://influxdb:8086. */
  readonly url: string;
  readonly database: string;
  readonly username?: string;
  readonly password?: string;
}
