import { readFileSync } from 'node:fs';
import { HttpError } from '../../core/http-error.js';
import type { Reply, Route } from '../../core/route.js';
import { pageHtml } from './page-html.js';

/**
 * The page's own files are code, not data: script and style only from
 * kpid itself (no inline script, so an injected <script> never runs), data
 * only fetched from kpid, never framed (clickjacking an ack button).
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

const JS = 'text/javascript; charset=utf-8';
const ASSETS = { 'noc.js': JS, 'noc-draw.js': JS, 'noc-actions.js': JS, 'noc.css': 'text/css; charset=utf-8' } as const;

/** An asset file, read once; `npm run build` copies them beside this module (scripts/copy-page-assets.mjs). */
function asset(name: keyof typeof ASSETS): () => Reply {
  let body: Buffer | undefined;
  return () => {
    try {
      body ??= readFileSync(new URL(`./assets/${name}`, import.meta.url));
    } catch {
      throw new HttpError(500, 'page_asset_missing', `the status page's ${name} is missing beside the code; rebuild kpid with npm run build`);
    }
    return { status: 200, body, contentType: ASSETS[name], headers: PAGE_HEADERS };
  };
}

/**
 * GET / (the NOC status page, `?wall=1` for a wall screen) and its script
 * and style. They hold no monitoring data and need no token: the script
 * reads everything from the API with the token the operator enters, so
 * reading follows the API's rule (docs/noc-page.md).
 */
export function pageRoutes(): Route[] {
  return [
    {
      method: 'GET', path: '/', auth: false,
      handler: (req) => ({ status: 200, body: pageHtml({ wall: req.query.get('wall') === '1' }), contentType: 'text/html; charset=utf-8', headers: PAGE_HEADERS }),
    },
    ...(Object.keys(ASSETS) as Array<keyof typeof ASSETS>).map((name): Route => ({ method: 'GET', path: `/page/${name}`, auth: false, handler: asset(name) })),
  ];
}
