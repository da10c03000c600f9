import { Redis } from 'ioredis';

/**
 * Whether kpid can reach each Redis its config names (state, queue,
 * cluster), for /readyz. The clients that do the work keep commands in an
 * offline queue while Redis is down, so they start without error and would
 * let kpid call itself ready with nothing able to reach Redis. Each URL gets
 * one idle connection of its own, which reconnects and so follows Redis
 * coming back. Readiness is this connection's state, not a ping at request
 * time: /readyz answers at once.
 */
export class RedisReachability {
  private readonly clients = new Map<string, Redis>();

  constructor(urls: readonly string[]) {
    for (const url of new Set(urls)) {
      const client = new Redis(url, {
        lazyConnect: false,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        retryStrategy: (times) => Math.min(100 * times, 1_000),
      });
      // Errors are expected while Redis is down; the clients doing the work log them.
      client.on('error', () => undefined);
      this.clients.set(url, client);
    }
  }

  /** One reason per Redis not reachable now; the URL is shown without its password. */
  reasons(): string[] {
    return [...this.clients].filter(([, c]) => c.status !== 'ready').map(([url]) => `Redis unreachable (${withoutPassword(url)})`);
  }

  close(): void {
    for (const c of this.clients.values()) c.disconnect();
    this.clients.clear();
  }
}

function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return 'redis';
  }
}
