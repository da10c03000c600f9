import { createHash } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import type { Request, Route } from '../core/route.js';
import type { AckCodes } from './ack-code.js';
import { ackLinkPage, shownTime, type Fact } from './ack-link-page.js';
import type { AlertKeeper } from './alert-keeper.js';
import { acknowledge, type AlertRouteDeps } from './alert-routes.js';
import type { StateStore } from './state/state-store.js';

export interface AckLinkRouteDeps extends Pick<AlertRouteDeps, 'ackNotifications'> {
  readonly alerts: () => AlertKeeper | undefined;
  /** The signer, once the key is known (config or state store). */
  readonly codes: () => AckCodes | undefined;
  /** Where a used code is claimed, once: the exactly-once gate of notifications. */
  readonly store: () => StateStore | undefined;
  /** server.public_url: its origin may post the confirm form. */
  readonly publicUrl: () => string | undefined;
  readonly clock: Clock;
}

/** A target of a link: an active alert or an outage, as the API shows them. */
interface Target {
  readonly kind: 'alert' | 'outage';
  readonly facts: Fact[];
  readonly severity: string;
  readonly acknowledged: { by: string; at: string | null } | null;
}

/**
 * GET and POST /a/:code, the one-tap ack link (docs/security.md, "Ack links").
 * GET only shows what the code would ack: mail scanners open links. POST
 * acks, through the API's own path, once per code. No API token: the code
 * is the authorisation for that one action on that one alert or outage.
 */
export function ackLinkRoutes(d: AckLinkRouteDeps): Route[] {
  return [
    { method: 'GET', path: '/a/:code', auth: false, logPath: '/a/<redacted>', handler: (req) => open(d, req, false) },
    { method: 'POST', path: '/a/:code', auth: false, logPath: '/a/<redacted>', handler: (req) => open(d, req, true) },
  ];
}

async function open(d: AckLinkRouteDeps, req: Request, confirmed: boolean) {
  const codes = d.codes();
  const alerting = d.alerts();
  if (!codes || !alerting) return ackLinkPage({ status: 503, tone: 'refused', title: 'kpid is starting', message: 'Try the link again in a minute.' });
  const check = codes.verify(req.params.code ?? '');
  if (!check.ok) {
    return check.why === 'expired'
      ? ackLinkPage({ status: 410, tone: 'refused', title: 'This link has expired', message: `It worked until ${shownTime(check.expiresAt!)}. Ack from a newer message, or through the API.` })
      : ackLinkPage({ status: 403, tone: 'refused', title: 'This link is not valid', message: 'kpid did not sign it, or it was cut short or changed on the way. Open the link from the message again, whole.' });
  }
  if (confirmed) {
    const refused = crossSite(req, d.publicUrl());
    if (refused) return ackLinkPage({ status: 403, tone: 'refused', title: 'Refused: cross-site request', message: refused });
  }
  const target = find(alerting, check.id, d.clock.now());
  if (!target) {
    return ackLinkPage({ status: 404, tone: 'refused', title: 'Nothing to acknowledge', message: `No active alert or open outage has id ${check.id}: it has resolved, or another kpid instance holds it.` });
  }
  if (target.acknowledged) return alreadyAcked(target, confirmed ? 409 : 200);
  if (!confirmed) {
    return ackLinkPage({ status: 200, tone: target.severity, title: `Acknowledge this ${target.kind}?`, facts: [...target.facts, ['Valid until', shownTime(check.expiresAt)]], confirm: true });
  }
  const by = byOf(await req.body(4096));
  if (!(await claimOnce(d, target, check.id, req.params.code!))) {
    return ackLinkPage({ status: 409, tone: 'refused', title: 'This link was already used', message: 'Each link acknowledges once.', facts: target.facts });
  }
  if (!(await acknowledge(alerting, d, check.id, by, 'one-tap ack link'))) {
    return ackLinkPage({ status: 404, tone: 'refused', title: 'Nothing to acknowledge', message: `${check.id} resolved meanwhile.` });
  }
  return ackLinkPage({ status: 200, tone: 'done', title: 'Acknowledged', message: `By ${by} at ${shownTime(d.clock.now())}. The escalation is stopped.`, facts: target.facts });
}

function alreadyAcked(t: Target, status: number) {
  const a = t.acknowledged!;
  // A short headline, and who and when below it: a long h1 wraps into a wall of text on a phone.
  const who = `By ${a.by || 'someone'}${a.at ? ` at ${shownTime(Date.parse(a.at))}` : ''}.`;
  return ackLinkPage({ status, tone: 'done', title: 'Already acknowledged', message: `${who} Nothing more to do from this link.`, facts: t.facts });
}

/**
 * The code is in the path and good for one action on one alert, which is
 * what stops a forged cross-site form; a browser's own word that the post
 * comes from another site is refused as well. `Origin: null` is what our own
 * page sends under Referrer-Policy: no-referrer, so only a real origin is compared.
 */
function crossSite(req: Request, publicUrl: string | undefined): string | undefined {
  const site = req.raw.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `The form was sent from another site (Sec-Fetch-Site: ${site}).`;
  const origin = req.raw.headers.origin;
  if (origin === undefined || origin === 'null') return undefined;
  const host = req.raw.headers.host;
  const allowed = [publicUrl && new URL(publicUrl).origin, host && `http://${host}`, host && `https://${host}`];
  return allowed.includes(origin) ? undefined : `The form was sent from ${origin.slice(0, 100)}, not from kpid.`;
}

function find(alerting: AlertKeeper, id: string, now: number): Target | undefined {
  const alert = alerting.alerts().find((a) => a.id === id);
  if (alert) {
    const where = ['site', 'target', 'device', 'interface', 'probe', 'service'].map((k) => alert.labels[k]).filter(Boolean).join('/');
    return {
      kind: 'alert', severity: alert.severity, acknowledged: alert.acknowledged,
      facts: [
        ['Target', where || 'kpid'], ['Rule', alert.rule], ['Severity', alert.severity],
        ['Since', shownIso(alert.firedAt ?? alert.activeAt)], ['Summary', alert.annotations.summary ?? ''],
        ...(alert.outage ? [['Outage', alert.outage] as const] : []),
      ].filter(([, v]) => v) as Fact[],
    };
  }
  const outage = alerting.outages().find((o) => o.id === id && o.state === 'open');
  if (!outage) return undefined;
  const left = outage.sla.remainingSeconds;
  return {
    kind: 'outage', severity: outage.sla.breached || left < 0 ? 'critical' : 'warning', acknowledged: outage.acknowledged,
    facts: [
      ['Outage', `${outage.service} (${outage.id})`], ['Since', shownIso(outage.startedAt)],
      ['SLA', left >= 0 ? `${Math.floor(left / 60)} min left of ${outage.sla.recoveryTargetSeconds / 60} min` : `missed ${Math.floor(-left / 60)} min ago`],
      ['Checked', shownTime(now)],
    ],
  };
}

/**
 * Claims the code in the state store, as notifications are claimed: true
 * once. The claim is named after the alert or outage, so it is kept while
 * that is active, and after the hash of the code, which stays secret.
 */
async function claimOnce(d: AckLinkRouteDeps, t: Target, id: string, code: string): Promise<boolean> {
  const store = d.store();
  if (!store) return true;
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  return store.claimNotification(`${t.kind}:${id}:ack-link:${hash}`, d.clock.now());
}

/** Who acked: the name typed on the page, else "ack link". */
function byOf(body: Buffer): string {
  const name = new URLSearchParams(body.toString('utf8')).get('by')?.trim().replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 100);
  return name || 'ack link';
}

/** An API timestamp as the page shows it; empty (the row is left out) when there is none. */
function shownIso(at: string | null | undefined): string {
  return at ? shownTime(Date.parse(at)) : '';
}
