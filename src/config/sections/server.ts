import { z } from 'zod';
import { duration, listenAddress } from '../duration-schema.js';

export const server = z
  .strictObject({
    listen: listenAddress.default({ host: '127.0.0.1', port: 9464 }),
    /** Bearer token for /api/v1/*. Write it as ${KPID_API_TOKEN}, not inline. */
    api_token: z.string().min(16, 'api_token must be at least 16 characters').optional(),
    /**
     * How people reach kpid from outside, e.g. https://kpid.noc.example.net
     * (a reverse proxy in front of `listen`). Every link and ack line in
     * alert messages is built from it; without it messages say how to ack
     * from the kpid host, at the `listen` address.
     */
    public_url: z.string().url().regex(/^https?:\/\//, 'public_url is an http:// or https:// URL').transform((u) => u.replace(/\/+$/, '')).optional(),
    /** One-tap ack links in messages (`<public_url>/a/<code>`), sent only when public_url is set (docs/notify.md). */
    ack_links: z.strictObject({
      /**
       * HMAC key that signs the codes, a secret: write it as ${KPID_ACK_LINK_KEY}. Unset, kpid
       * generates one once and keeps it in the state store, so every cluster member checks the same codes.
       */
      key: z.string().min(32, 'ack_links.key must be at least 32 characters').optional(),
      /** How long a link works after the message is sent. Default 24h. */
      ttl: duration({ min: 1000 }).default(24 * 3_600_000),
    }).default({ ttl: 24 * 3_600_000 }),
  })
  .default({ listen: { host: '127.0.0.1', port: 9464 }, ack_links: { ttl: 24 * 3_600_000 } });

export const defaults = z
  .strictObject({
    interval: duration({ min: 100 }).default(30_000),
    timeout: duration({ min: 10 }).default(5_000),
    /** How long a polled series is kept without a sample; unset: 3 × the target's interval. */
    series_lifetime: duration({ min: 200 }).optional(),
    /** Polls that may run at once across all targets. */
    concurrency: z.number().int().min(1).max(10_000).default(64),
  })
  .default({ interval: 30_000, timeout: 5_000, concurrency: 64 });

/** Alert state writes that may wait for an unreachable store before new ones are dropped and counted. */
const maxPendingWrites = z.number().int().min(1).max(10_000_000).optional();

export const state = z
  .union([
    z.strictObject({ sqlite: z.string().min(1), max_pending_writes: maxPendingWrites }),
    z.strictObject({ redis: z.string().url(), max_pending_writes: maxPendingWrites }),
  ], { error: 'state takes either { sqlite: FILE } or { redis: URL }' })
  .default({ sqlite: 'data/kpid.db' });

export const queue = z
  .union([
    z.strictObject({ driver: z.literal('memory') }),
    z.strictObject({ driver: z.literal('bullmq'), redis: z.string().url(), prefix: z.string().default('kpid') }),
  ], { error: 'queue takes { driver: memory } or { driver: bullmq, redis: URL }' })
  .default({ driver: 'memory' });

// `cluster:` lives in ./cluster.ts.
