import { mapOnce } from '../../core/map-once.js';
import type { ThroughputProbeConfig } from './throughput-config.js';

/** What the throughput collector runs on: a target's validated `throughput` probe (throughput-config.ts) mapped once, here. */
export interface ThroughputProbeOptions {
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

/** A target's `throughput` probe as the scheduler hands it (named by targets/): read only through throughputOptions. */
export type ThroughputSpec = ThroughputProbeConfig & { name: string };

/** Options from a validated `throughput` probe; mapped once per block (a reload brings new blocks). */
export const throughputOptions = mapOnce((b: ThroughputSpec): ThroughputProbeOptions => ({
  name: b.name, url: b.url, ...(b.range !== undefined ? { range: b.range } : {}), maxBytes: b.max_bytes,
  ...(b.upload_bytes !== undefined ? { uploadBytes: b.upload_bytes } : {}),
  ...(b.upload_url !== undefined ? { uploadUrl: b.upload_url } : {}),
  headers: b.headers, tlsVerify: b.tls_verify,
}));
