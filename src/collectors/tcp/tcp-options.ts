import { mapOnce } from '../../core/map-once.js';
import type { TcpProbeConfig } from './tcp-config.js';

/** What the TCP collector runs on: a target's validated `tcp` probe (tcp-config.ts) mapped once, here. */
export interface TcpProbeOptions {
  /** Label value of `probe`: `tcp:<port>` or the configured name. */
  readonly name: string;
  /** Port connected to. No default. */
  readonly port: number;
}

/** A target's `tcp` probe as the scheduler hands it (named by targets/): read only through tcpOptions. */
export type TcpSpec = TcpProbeConfig & { name: string };

/** Options from a validated `tcp` probe; mapped once per block (a reload brings new blocks). */
export const tcpOptions = mapOnce((b: TcpSpec): TcpProbeOptions => ({ name: b.name, port: b.port }));
