import type { IncomingMessage } from 'node:http';

// An HTTP route as a stage offers it (alerts, ingest, report): the server in
// src/http serves whatever routes the daemon hands it and imports no stage.

export interface Request {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly params: Readonly<Record<string, string>>;
  readonly raw: IncomingMessage;
  /** The body, read with `limit` bytes (or the server's limit) as the most accepted. */
  body(limit?: number): Promise<Buffer>;
  /** The body parsed as JSON; a 400 naming the problem when it is not. */
  json(): Promise<unknown>;
}

export interface Reply {
  status: number;
  body: unknown;
  contentType?: string;
  /** More response headers (the status page's Content-Security-Policy). */
  headers?: Readonly<Record<string, string>>;
}

export type Handler = (req: Request) => Promise<Reply> | Reply;

export interface Route {
  readonly method: string;
  /** `/api/v1/alerts/:id/ack` style; `:name` captures one segment. */
  readonly path: string;
  /** Whether the bearer token is required. */
  readonly auth: boolean;
  readonly handler: Handler;
}
