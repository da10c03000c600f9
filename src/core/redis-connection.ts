import { Redis, type RedisOptions } from 'ioredis';
import { errorMessage } from './errors.js';
import type { Logger } from './logger.js';

/**
 * An ioredis client for kpid's own keys. Commands issued while Redis is
 * unreachable wait in ioredis' offline queue and run when it returns
 * (maxRetriesPerRequest: null): the writes kpid makes are idempotent
 * (claims, upserts), so replaying them is safe, and dropping them would
 * lose a notification. Reconnects back off to at most 2 s.
 */
export function connectRedis(url: string, log?: Logger, extra: RedisOptions = {}): Redis {
  const client = new Redis(url, {
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(100 * times, 2_000),
    lazyConnect: false,
    ...extra,
  });
  let down = false;
  client.on('error', (err) => {
    // ioredis emits one error per failed reconnect; log the first of each outage only.
    if (!down) log?.warn({ err: errorMessage(err) }, 'Redis unreachable; commands wait for it');
    down = true;
  });
  client.on('ready', () => {
    if (down) log?.info('Redis reachable again');
    down = false;
  });
  return client;
}

/** Closes a client gracefully, or drops it when Redis does not answer within `ms`. */
export async function closeRedis(client: Redis, ms = 2_000): Promise<void> {
  if (client.status === 'end') return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)));
  const quit = client.quit().then(() => 'ok' as const, () => 'error' as const);
  const outcome = await Promise.race([quit, timeout]);
  clearTimeout(timer);
  if (outcome !== 'ok') client.disconnect();
}
