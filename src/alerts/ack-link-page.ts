import { createHash } from 'node:crypto';
import type { Reply } from '../core/route.js';

/**
 * The pages behind a one-tap ack link: what will be acked and one button,
 * or why nothing can be. Self-contained HTML, no script at all; its one
 * style block is allowed by hash, so the Content-Security-Policy needs
 * neither 'unsafe-inline' nor any other source. Phone first: it is opened
 * from an email or SMS at 3 a.m.
 */
const STYLE = [
  'body{margin:0;padding:16px;font-family:-apple-system,Segoe UI,Roboto,sans-serif;font-size:17px;line-height:1.45;color:#111;background:#fff}',
  'main{max-width:560px;margin:0 auto}',
  'h1{font-size:22px;margin:0 0 12px}',
  '.critical{color:#b00020}.warning{color:#a15c00}.info{color:#1d4ed8}.done{color:#1b7f3b}.refused{color:#555}',
  'table{border-collapse:collapse;width:100%;margin:0 0 16px}',
  'th{text-align:left;font-weight:normal;color:#555;padding:4px 12px 4px 0;vertical-align:top;width:6.5em}',
  'td{padding:4px 0;overflow-wrap:anywhere}',
  'label{display:block;color:#555;margin:0 0 4px}',
  'input{font-size:17px;padding:10px;width:100%;box-sizing:border-box;margin:0 0 12px;border:1px solid #999;border-radius:6px}',
  'button{font-size:20px;font-weight:bold;padding:16px;width:100%;border:0;border-radius:8px;background:#b00020;color:#fff}',
  'p.small{color:#555;font-size:14px}',
].join('\n');

const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

/** No script, no frames, no other origin; the form may post only back to kpid. */
export const ACK_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/** One row of what the link is about: label and value. */
export type Fact = readonly [label: string, value: string];

export interface PageContent {
  readonly status: number;
  readonly title: string;
  /** The headline's colour class: a severity, `done` or `refused`. */
  readonly tone: string;
  readonly message?: string;
  readonly facts?: readonly Fact[];
  /** Shows the confirm form, posting to the page's own URL. */
  readonly confirm?: boolean;
}

export function ackLinkPage(c: PageContent): Reply {
  const html = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">',
    `<title>kpid: ${esc(c.title)}</title><style>${STYLE}</style></head><body><main>`,
    `<h1 class="${esc(c.tone)}">${esc(c.title)}</h1>`,
    ...(c.message ? [`<p>${esc(c.message)}</p>`] : []),
    ...(c.facts?.length ? ['<table>', ...c.facts.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`), '</table>'] : []),
    ...(c.confirm
      ? [
        // No action attribute: the form posts to this same URL, whose code is the authorisation.
        '<form method="post">',
        '<label for="by">Your name (optional)</label>',
        '<input id="by" name="by" maxlength="100" autocomplete="name">',
        '<button type="submit">Acknowledge</button>',
        '</form>',
        '<p class="small">Acknowledging stops the escalation. Opening this page did not acknowledge anything.</p>',
      ]
      : []),
    '</main></body></html>',
  ].join('\n');
  return { status: c.status, body: html, contentType: 'text/html; charset=utf-8', headers: ACK_PAGE_HEADERS };
}

/**
 * A time on the page: `2026-12-02 02:49:44 UTC`, to the second. Not the API's
 * ISO form: its T, Z and milliseconds are noise to someone half awake, and
 * the long word ran into the edge of a phone's screen.
 */
export function shownTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
