import type { Links } from './links.js';
import type {
  ChannelConfig, EmailChannelConfig, EscalationConfig, NotifyConfig, RouteConfig, SmppConfig, SmsGatewayConfig, WebhookChannelConfig,
} from '../config/sections/notify.js';

/**
 * What notify runs on, in its own words: the validated `notify:` section
 * mapped once, here. Nothing else in src/notify/ reads the YAML names.
 * Durations are milliseconds.
 */
export interface NotifyOptions {
  /** Deprecated notify.external_url: the public URL when server.public_url is not set. */
  readonly externalUrl?: string;
  readonly channels: Readonly<Record<string, ChannelOptions>>;
  readonly routes: readonly RouteOptions[];
  readonly escalations: Readonly<Record<string, EscalationOptions>>;
  /** SMS storm control per recipient; none: every message goes out. */
  readonly storm?: { readonly window: number; readonly maxMessages: number };
  readonly stormGuard: { readonly maxChanges: number; readonly interval: number };
  readonly retry: { readonly attempts: number; readonly initial: number; readonly max: number };
}

/** Exactly one of email, sms or webhook. */
export interface ChannelOptions {
  readonly email?: EmailOptions;
  readonly sms?: SmsOptions;
  readonly webhook?: WebhookOptions;
}

export interface EmailOptions {
  readonly smtp: {
    readonly host: string;
    readonly port: number;
    readonly secure: boolean;
    readonly starttls: 'required' | 'opportunistic' | 'off';
    readonly tlsVerify: boolean;
    readonly auth?: { readonly user: string; readonly password: string };
    readonly maxConnections: number;
    readonly timeout: number;
  };
  readonly from: string;
  readonly to: readonly string[];
}

/** Exactly one of smpp or http. */
export interface SmsOptions {
  readonly smpp?: SmppOptions;
  readonly http?: SmsGatewayOptions;
  readonly to: readonly string[];
}

export interface SmppOptions {
  readonly url: string;
  readonly systemId: string;
  readonly password: string;
  readonly systemType: string;
  readonly bind: 'transmitter' | 'transceiver';
  readonly sourceAddr: string;
  readonly enquireLink: number;
  readonly timeout: number;
  readonly reconnectInitial: number;
  readonly reconnectMax: number;
}

export interface SmsGatewayOptions {
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeout: number;
}

export interface WebhookOptions {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeout: number;
  /** Alerts per payload; 0: all. */
  readonly maxAlerts: number;
}

export interface RouteOptions {
  readonly name?: string;
  readonly match: Readonly<Record<string, string>>;
  /** Anchored, run by RE2. */
  readonly matchRe: Readonly<Record<string, string>>;
  readonly channels: readonly string[];
  readonly groupBy: readonly string[];
  readonly groupWait: number;
  readonly groupInterval: number;
  readonly repeat: number;
  readonly continue: boolean;
  readonly escalation?: string;
}

export interface EscalationOptions {
  readonly steps: readonly { readonly after: number; readonly channels: readonly string[] }[];
  /** The managers' tier, told when an outage's recovery target is missed. */
  readonly slaBreach: readonly string[];
}

export function notifyOptions(cfg: NotifyConfig): NotifyOptions {
  return {
    ...(cfg.external_url !== undefined ? { externalUrl: cfg.external_url } : {}),
    channels: mapValues(cfg.channels, channelOptions),
    routes: cfg.routes.map(routeOptions),
    escalations: mapValues(cfg.escalations, escalationOptions),
    ...(cfg.storm ? { storm: { window: cfg.storm.window, maxMessages: cfg.storm.max_messages } } : {}),
    stormGuard: { maxChanges: cfg.storm_guard.max_changes, interval: cfg.storm_guard.interval },
    retry: { ...cfg.retry },
  };
}

export function channelOptions(c: ChannelConfig): ChannelOptions {
  if (c.email) return { email: emailOptions(c.email) };
  if (c.webhook) return { webhook: webhookOptions(c.webhook) };
  const sms = c.sms!;
  return {
    sms: {
      ...(sms.smpp ? { smpp: smppOptions(sms.smpp) } : {}),
      ...(sms.http ? { http: smsGatewayOptions(sms.http) } : {}),
      to: sms.to,
    },
  };
}

export function emailOptions(e: EmailChannelConfig): EmailOptions {
  const s = e.smtp;
  return {
    smtp: {
      host: s.host, port: s.port, secure: s.secure, starttls: s.starttls, tlsVerify: s.tls_verify,
      ...(s.auth ? { auth: { user: s.auth.user, password: s.auth.password } } : {}),
      maxConnections: s.max_connections, timeout: s.timeout,
    },
    from: e.from,
    to: e.to,
  };
}

export function smppOptions(s: SmppConfig): SmppOptions {
  return {
    url: s.url, systemId: s.system_id, password: s.password, systemType: s.system_type, bind: s.bind, sourceAddr: s.source_addr,
    enquireLink: s.enquire_link, timeout: s.timeout, reconnectInitial: s.reconnect_initial, reconnectMax: s.reconnect_max,
  };
}

function smsGatewayOptions(g: SmsGatewayConfig): SmsGatewayOptions {
  return { method: g.method, url: g.url, headers: g.headers, ...(g.body !== undefined ? { body: g.body } : {}), timeout: g.timeout };
}

function webhookOptions(w: WebhookChannelConfig): WebhookOptions {
  return { url: w.url, headers: w.headers, timeout: w.timeout, maxAlerts: w.max_alerts };
}

function routeOptions(r: RouteConfig): RouteOptions {
  return {
    ...(r.name !== undefined ? { name: r.name } : {}),
    match: r.match, matchRe: r.match_re, channels: r.channels, groupBy: r.group_by,
    groupWait: r.group_wait, groupInterval: r.group_interval, repeat: r.repeat, continue: r.continue,
    ...(r.escalation !== undefined ? { escalation: r.escalation } : {}),
  };
}

function escalationOptions(e: EscalationConfig): EscalationOptions {
  return { steps: e.steps, slaBreach: e.sla_breach };
}

function mapValues<A, B>(o: Readonly<Record<string, A>>, f: (a: A) => B): Record<string, B> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
}

/** What the daemon tells a Notifier besides its config section. */
export interface NotifierOptions {
  /** Whether an alert with these labels is silenced now (silences, maintenance windows). */
  readonly isSilenced?: (labels: Readonly<Record<string, string>>) => boolean;
  /** server.public_url and the daemon's real listen address, for ack lines and links. */
  readonly links?: Links;
  /**
   * Told the ids of notifications notify is done with: queued (after their
   * group's wait), or dropped because no route or only silenced ones took
   * them. Alerts then forgets their outbox entries.
   */
  readonly onHandedOver?: (ids: readonly string[]) => void;
}
