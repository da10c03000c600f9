import { z } from 'zod';
import { duration } from '../duration-schema.js';
import { regexProblem } from '../../core/linear-regex.js';

/** A regular expression RE2 can run, checked at load (the location comes with the issue). */
const regex = z.string().superRefine((s, ctx) => {
  const problem = regexProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/**
 * The `notify:` section: where alerts go (channels), which alerts go where
 * (routes), who hears next when nobody acks (escalations), and how floods
 * are tamed (storm). Secrets (SMTP/SMPP passwords, gateway tokens) are
 * written as ${VAR}; the key name `password` keeps them out of logs.
 */

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'label names are letters, digits and _');
const channelName = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'channel names are letters, digits, _, . and -');

export const emailAddress = z.string().regex(
  /^[^\s@<>()",;]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/,
  'not a valid email address',
);

/** E.164: a plus, a country code and the subscriber number, 8 to 15 digits in all. */
export const phoneNumber = z.string().regex(/^\+[1-9]\d{6,14}$/, 'not an international phone number like +8613800000000');

const headers = z.record(z.string().regex(/^[A-Za-z0-9-]+$/, 'not an HTTP header name'), z.string()).default({});

const smtp = z.strictObject({
  host: z.string().min(1),
  /** 587 (submission, STARTTLS), 465 (implicit TLS) or 25. */
  port: z.number().int().min(1).max(65535).default(587),
  /** true: TLS from the first byte (port 465). false: plain, upgraded with STARTTLS. */
  secure: z.boolean().default(false),
  /** With secure: false: `required` refuses to send without STARTTLS, `opportunistic` uses it when offered, `off` never. */
  starttls: z.enum(['required', 'opportunistic', 'off']).default('opportunistic'),
  /** Verify the server's certificate (turn off only for a lab server). */
  tls_verify: z.boolean().default(true),
  auth: z.strictObject({ user: z.string().min(1), password: z.string() }).optional(),
  /** SMTP connections kept open and reused. */
  max_connections: z.number().int().min(1).max(50).default(3),
  /** Connection, greeting and socket timeout. */
  timeout: duration({ min: 100 }).default(10_000),
});

const emailChannel = z.strictObject({
  smtp,
  from: emailAddress,
  to: z.array(emailAddress).min(1, 'give at least one recipient'),
});

const smpp = z.strictObject({
  /** smpp://host:port, or ssmpp://host:port for TLS. */
  url: z.string().regex(/^s?smpp:\/\/[^\s/]+(:\d+)?\/?$/, 'expected smpp://host:port or ssmpp://host:port'),
  system_id: z.string().min(1).max(15),
  password: z.string().max(8, 'SMPP 3.4 passwords are at most 8 characters'),
  system_type: z.string().max(12).default(''),
  /** transceiver also receives delivery receipts on the same bind. */
  bind: z.enum(['transmitter', 'transceiver']).default('transmitter'),
  /** Sender shown on the phone: a short code, a number, or up to 11 letters. */
  source_addr: z.string().max(20).default('kpid'),
  enquire_link: duration({ min: 1000 }).default(30_000),
  /** How long a submit_sm may wait for its response before it is retried. */
  timeout: duration({ min: 100 }).default(10_000),
  reconnect_initial: duration({ min: 10 }).default(1_000),
  reconnect_max: duration({ min: 10 }).default(60_000),
});

const smsGateway = z.strictObject({
  method: z.enum(['GET', 'POST', 'PUT']).default('POST'),
  /** May use {{to}} and {{text}} (URL-encoded here). */
  url: z.string().url(),
  headers,
  /** May use {{to}}, {{text}} (JSON-escaped when the content type is JSON) and {{from}}. */
  body: z.string().optional(),
  timeout: duration({ min: 100 }).default(10_000),
});

const smsChannel = z
  .strictObject({
    smpp: smpp.optional(),
    http: smsGateway.optional(),
    to: z.array(phoneNumber).min(1, 'give at least one phone number'),
  })
  .refine((c) => (c.smpp ? 1 : 0) + (c.http ? 1 : 0) === 1, { message: 'an sms channel takes exactly one of smpp: or http:' });

const webhookChannel = z.strictObject({
  url: z.string().url(),
  headers,
  timeout: duration({ min: 100 }).default(10_000),
  /** Alerts per payload; the rest are counted in truncatedAlerts, as Alertmanager does. */
  max_alerts: z.number().int().min(0).default(0),
});

export const channelSchema = z
  .strictObject({ email: emailChannel.optional(), sms: smsChannel.optional(), webhook: webhookChannel.optional() })
  .refine((c) => [c.email, c.sms, c.webhook].filter(Boolean).length === 1, {
    message: 'a channel takes exactly one of email:, sms: or webhook:',
  });

const route = z.strictObject({
  /** Shown as the receiver in webhook payloads and logs; default route<N>. */
  name: z.string().min(1).optional(),
  /** Equality on labels; `severity` also matches the alert's severity. `{}` matches every alert. */
  match: z.record(z.string(), z.string()).default({}),
  /** Anchored regular expressions on labels. */
  /** Run by RE2 (linear time): no backreferences or lookaround. */
  match_re: z.record(z.string(), regex).default({}),
  channels: z.array(channelName).min(1),
  /** Labels that make a group; `...` groups by all labels (one alert per group). */
  group_by: z.array(z.union([labelName, z.literal('...')])).default(['...']),
  /** How long the first notification of a new group waits for company. */
  group_wait: duration({ min: 0 }).default(1_000),
  /** Minimum time between two notifications of the same group when it changes. */
  group_interval: duration({ min: 100 }).default(60_000),
  /** Resend a still-firing group unchanged after this long. */
  repeat: duration({ min: 1_000 }).default(4 * 3_600_000),
  /** Keep matching later routes after this one. */
  continue: z.boolean().default(false),
  /** Name of an escalation ladder in notify.escalations. */
  escalation: z.string().optional(),
});

const escalation = z.strictObject({
  /** Not acked after `after` (since the first notification): the step's channels are told. */
  steps: z.array(z.strictObject({ after: duration({ min: 1_000 }), channels: z.array(channelName).min(1) })).default([]),
  /** The managers' tier: told when the outage's recovery target is missed. */
  sla_breach: z.array(channelName).default([]),
});

export const notifySchema = z
  .strictObject({
    /** Deprecated: write server.public_url. Still read as the public URL when that is not set. */
    external_url: z.string().url().transform((u) => u.replace(/\/+$/, '')).optional(),
    channels: z.record(channelName, channelSchema).default({}),
    routes: z.array(route).default([]),
    escalations: z.record(z.string(), escalation).default({}),
    /** Above `max_messages` per `window` an SMS recipient gets one summary per window instead. */
    storm: z
      .strictObject({ window: duration({ min: 1_000 }).default(60_000), max_messages: z.number().int().min(1).default(5) })
      .optional(),
    /**
     * Global storm guard: more than `max_changes` alert state changes within
     * one minute and every channel gets one summary per `interval` instead
     * of one message per alert, until a minute with `max_changes` or fewer.
     */
    storm_guard: z
      .strictObject({ max_changes: z.number().int().min(1).default(200), interval: duration({ min: 1_000 }).default(60_000) })
      .default({ max_changes: 200, interval: 60_000 }),
    retry: z
      .strictObject({
        attempts: z.number().int().min(1).max(1_000).default(20),
        initial: duration({ min: 10 }).default(1_000),
        max: duration({ min: 10 }).default(300_000),
      })
      .default({ attempts: 20, initial: 1_000, max: 300_000 }),
  })
  .superRefine((cfg, ctx) => {
    const known = (name: string, path: (string | number)[]) => {
      if (!(name in cfg.channels)) ctx.addIssue({ code: 'custom', path, message: `no channel named "${name}" in notify.channels` });
    };
    cfg.routes.forEach((r, i) => {
      r.channels.forEach((c, j) => known(c, ['routes', i, 'channels', j]));
      if (r.escalation !== undefined && !(r.escalation in cfg.escalations)) {
        ctx.addIssue({ code: 'custom', path: ['routes', i, 'escalation'], message: `no escalation named "${r.escalation}" in notify.escalations` });
      }
    });
    for (const [name, e] of Object.entries(cfg.escalations)) {
      e.steps.forEach((s, i) => s.channels.forEach((c, j) => known(c, ['escalations', name, 'steps', i, 'channels', j])));
      e.sla_breach.forEach((c, j) => known(c, ['escalations', name, 'sla_breach', j]));
    }
  });


export type NotifyConfig = z.output<typeof notifySchema>;
export type NotifyConfigInput = z.input<typeof notifySchema>;
export type ChannelConfig = z.output<typeof channelSchema>;
export type RouteConfig = z.output<typeof route>;
export type EscalationConfig = z.output<typeof escalation>;
export type EmailChannelConfig = z.output<typeof emailChannel>;
export type SmppConfig = z.output<typeof smpp>;
export type SmsGatewayConfig = z.output<typeof smsGateway>;
export type WebhookChannelConfig = z.output<typeof webhookChannel>;
