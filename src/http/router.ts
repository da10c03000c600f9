import type { ServerResponse } from 'node:http';
import type { Reply, Route } from '../core/route.js';

export type { Handler, Reply, Request, Route } from '../core/route.js';

/** Finds the route for a method and path, with its captured parameters. */
export function matchRoute(routes: readonly Route[], method: string, path: string):
  { route: Route; params: Record<string, string> } | { allowed: string[] } | undefined {
  const allowed: string[] = [];
  for (const route of routes) {
    const params = matchPath(route.path, path);
    if (!params) continue;
    if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { route, params };
    allowed.push(route.method);
  }
  return allowed.length ? { allowed } : undefined;
}

function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split('/');
  const s = path.split('/');
  if (p.length !== s.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i]!.startsWith(':')) {
      try {
        params[p[i]!.slice(1)] = decodeURIComponent(s[i]!);
      } catch {
        return undefined;
      }
    } else if (p[i] !== s[i]) return undefined;
  }
  return params;
}

export function send(res: ServerResponse, reply: Reply): void {
  const isText = typeof reply.body === 'string' || Buffer.isBuffer(reply.body);
  const body = isText ? (reply.body as string | Buffer) : JSON.stringify(reply.body, null, 2) + '\n';
  res.writeHead(reply.status, {
    ...reply.headers,
    'content-type': reply.contentType ?? (isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8'),
    'content-length': Buffer.byteLength(body),
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
