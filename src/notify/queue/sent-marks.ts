/** The few Redis commands the marks need (an ioredis client). */
export interface MarkStore {
  exists(key: string): Promise<number>;
  set(key: string, value: string, px: 'PX', ms: number): Promise<unknown>;
}

/**
 * Job ids whose message a channel has accepted, kept in Redis next to the
 * queue. BullMQ runs a job again when its lock lapsed before the job was
 * recorded as completed: after Redis was killed or unreachable for longer than
 * the lock while the message was already on its way. Without a mark that job
 * would send its mail a second time. The mark is written the moment the
 * channel accepts and read before each run, so the second run sends nothing.
 *
 * It closes the gap between "sent" and "recorded as sent"; it does not make
 * two runs of one job at the same moment impossible: that needs a lock longer
 * than a delivery can take, which BullMQ's lock is (30 s against a 10 s SMTP
 * timeout by default).
 */
export class SentMarks {
  constructor(
    private readonly redis: () => Promise<MarkStore>,
    private readonly keyPrefix: string,
    /** How long a mark is kept, ms: as long as BullMQ keeps the completed job. */
    private readonly keepFor: number,
  ) {}

  async wasSent(jobId: string): Promise<boolean> {
    return (await (await this.redis()).exists(this.key(jobId))) === 1;
  }

  /** Waits for Redis if it is away: the client retries until it is back. */
  async markSent(jobId: string): Promise<void> {
    await (await this.redis()).set(this.key(jobId), '1', 'PX', this.keepFor);
  }

  private key(jobId: string): string {
    return `${this.keyPrefix}${jobId}`;
  }
}
