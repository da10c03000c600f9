import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a real server that can hold requests or replies.
 * While `holding`, requests reach the server and are acted on, but the
 * answers wait in the proxy: the client sees a request in flight that the
 * server has already done. Killing the server then breaks the connection
 * with the answer never delivered, the case where a client cannot know
 * whether its write happened. While `stalling`, requests wait in the proxy
 * instead: killing the server then loses a request it never saw.
 *
 * Every byte forwarded to the server is kept, so a test can count how many
 * times each request went out.
 */
export class HoldingProxy {
  holding = false;
  stalling = false;
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly held = new Map<Socket, Buffer[]>();
  private readonly stalled = new Map<Socket, () => void>();
  /** What each connection sent to the server, in order. */
  private readonly forwarded: string[] = [];

  constructor(private readonly upstreamPort: number, private readonly host = '127.0.0.1') {}

  get url(): string {
    const { port } = this.server!.address() as { port: number };
    return `http://${this.host}:${port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((client) => this.pipe(client));
    await new Promise<void>((r) => this.server!.listen(0, this.host, r));
  }

  /** Connections whose answer is being held. */
  get heldReplies(): number {
    return this.held.size;
  }

  /** Connections whose request is being held back from the server. */
  get stalledRequests(): number {
    return this.stalled.size;
  }

  /** Delivers what was held either way and stops holding. */
  release(): void {
    this.holding = false;
    this.stalling = false;
    for (const [client, chunks] of this.held) for (const c of chunks) client.write(c);
    this.held.clear();
    for (const send of this.stalled.values()) send();
    this.stalled.clear();
  }

  /** How many times each match of `pattern` (its first group) was sent to the server. */
  timesSent(pattern: RegExp): Map<string, number> {
    const counts = new Map<string, number>();
    for (const text of this.forwarded) {
      for (const m of text.matchAll(pattern)) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
    }
    return counts;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private pipe(client: Socket): void {
    const upstream = connect(this.upstreamPort, this.host);
    this.sockets.add(client).add(upstream);
    const slot = this.forwarded.push('') - 1;
    const early: Buffer[] = [];
    let connected = false;
    const forward = (d: Buffer) => {
      this.forwarded[slot] += d.toString('latin1');
      upstream.write(d);
    };
    upstream.on('connect', () => {
      connected = true;
      for (const d of early.splice(0)) forward(d);
    });
    const pending: Buffer[] = [];
    // Only bytes handed to a connected server count as sent.
    client.on('data', (d: Buffer) => {
      if (!this.stalling && !this.stalled.has(client)) return void (connected ? forward(d) : early.push(d));
      pending.push(d);
      this.stalled.set(client, () => {
        for (const p of pending.splice(0)) connected ? forward(p) : early.push(p);
      });
    });
    upstream.on('data', (d: Buffer) => {
      if (!this.holding) return void client.write(d);
      const chunks = this.held.get(client) ?? [];
      chunks.push(d);
      this.held.set(client, chunks);
    });
    // A server that dies takes its held answers with it: the client sees a broken connection.
    const close = () => {
      this.held.delete(client);
      this.stalled.delete(client);
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    upstream.on('close', close).on('error', close);
    client.on('close', close).on('error', close);
  }
}
