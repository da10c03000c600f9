import { createHash } from 'node:crypto';

/**
 * Job ids come from what is said (alerts, transition, group, repeat) and to
 * whom (channel, recipient), never from when: queuing the same decision twice
 * — a retry, a replay after restart, two cluster members — sends once.
 */
export function jobId(parts: readonly string[], channel: string, recipient: string): string {
  const h = createHash('sha256').update(JSON.stringify([...parts, channel, recipient])).digest('hex').slice(0, 32);
  return `n-${h}`;
}
