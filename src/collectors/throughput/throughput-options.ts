import { mapOnce } from '../../core/map-once.js';
import type { ThroughputProbeConfig } from './throughput-config.js';

/** What the throughput collector runs on in http mode: a target's validated `throughput` probe (throughput-config.ts) mapped once, here. */
export interface HttpThroughputOptions {
  readonly mode: 'http';
  /** Label value of `probe`. */
  readonly name: string;
  /** The object downloaded; `{address}` stands for the target's address. */
  readonly url: string;
  /** HTTP Range `FIRST-LAST`. Default: the whole object. */
  readonly range?: string | undefined;
  /** Stop reading after this many bytes. Default 100 MiB. */
  readonly maxBytes: number;
  /** Bytes POSTed after the download. Default: no upload. */
  readonly uploadBytes?: number | undefined;
  /** Where the upload goes. Default: url. */
  readonly uploadUrl?: string | undefined;
  /** Default none. */
  readonly headers: Readonly<Record<string, string>>;
  /** Verify the server's certificate. Default true. */
  readonly tlsVerify: boolean;
}

/** iperf3 mode: the iperf3 client against the server on the target's address. */
export interface Iperf3ThroughputOptions {
  readonly mode: 'iperf3';
  readonly name: string;
  /** The server's port. Default 5201. */
  readonly port: number;
  /** How long iperf3 sends, ms (whole seconds). Default 3 s. */
  readonly duration: number;
  /** true: the server sends (iperf3 -R), the download a user gets. Default true. */
  readonly reverse: boolean;
}

export type ThroughputProbeOptions = HttpThroughputOptions | Iperf3ThroughputOptions;

/** A target's `throughput` probe as the scheduler hands it (named by targets/): read only through throughputOptions. */
export type ThroughputSpec = ThroughputProbeConfig & { name: string };

/** Options from a validated `throughput` probe; mapped once per block (a reload brings new blocks). */
export const throughputOptions = mapOnce((b: ThroughputSpec): ThroughputProbeOptions => b.mode === 'iperf3'
  ? { mode: 'iperf3', name: b.name, port: b.port, duration: b.duration, reverse: b.reverse }
  : {
    mode: 'http', name: b.name, url: b.url, ...(b.range !== undefined ? { range: b.range } : {}), maxBytes: b.max_bytes,
    ...(b.upload_bytes !== undefined ? { uploadBytes: b.upload_bytes } : {}),
    ...(b.upload_url !== undefined ? { uploadUrl: b.upload_url } : {}),
    headers: b.headers, tlsVerify: b.tls_verify,
  });
