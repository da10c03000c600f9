import { mapOnce } from '../../core/map-once.js';
import type { IcmpProbeConfig } from './icmp-config.js';

/** What the ICMP collector runs on: a target's validated `icmp` probe (icmp-config.ts) mapped once, here. Durations ms. */
export interface IcmpProbeOptions {
  /** Label value of `probe`: `icmp` or the configured name. */
  readonly name: string;
  /** Echo requests per probe; loss resolution is 1/count. Default 10. */
  readonly count: number;
  /** Time between two echo requests to the same host (fping -p), ms. Default 100. */
  readonly spacing: number;
  /** How long to wait for each reply (fping -t), ms. Default 1,000. */
  readonly replyTimeout: number;
}

/** A target's `icmp` probe as the scheduler hands it (named by targets/): read only through icmpOptions. */
export type IcmpSpec = IcmpProbeConfig & { name: string };

/** Options from a validated `icmp` probe; mapped once per block (a reload brings new blocks). */
export const icmpOptions = mapOnce((b: IcmpSpec): IcmpProbeOptions => ({ name: b.name, count: b.count, spacing: b.spacing, replyTimeout: b.reply_timeout }));
