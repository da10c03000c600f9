import { z } from 'zod';
import { regexProblem } from '../../core/linear-regex.js';
import { duration } from '../../config/duration-schema.js';

/** A numeric OID as net-snmp wants it: `1.3.6.1.2.1.1.3.0` (a leading dot is dropped). */
const oid = z
  .string()
  .regex(/^\.?\d+(\.\d+)+$/, 'an OID is numeric, like 1.3.6.1.2.1.1.3.0 (no MIB names: no MIB files are loaded)')
  .transform((s) => s.replace(/^\./, ''));

/**
 * A regular expression, checked at load so a typo fails there and not on
 * every poll. Run by RE2 (linear time; interface names and aliases come from
 * the device): no backreferences or lookaround.
 */
const regex = z.string().superRefine((s, ctx) => {
  const problem = regexProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const identifier = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'names are letters, digits and _');

/** SNMPv3 USM user. Keys come from the environment (`${VAR}`), never the file. */
export const snmpUser = z
  .strictObject({
    name: z.string().min(1),
    level: z.enum(['noAuthNoPriv', 'authNoPriv', 'authPriv']).default('authPriv'),
    auth_protocol: z.enum(['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512']).optional(),
    auth_key: z.string().min(8, 'auth_key must be at least 8 characters (RFC 3414)').optional(),
    priv_protocol: z.enum(['des', 'aes', 'aes256b', 'aes256r']).optional(),
    priv_key: z.string().min(8, 'priv_key must be at least 8 characters (RFC 3414)').optional(),
  })
  .superRefine((u, ctx) => {
    const need = (key: 'auth_protocol' | 'auth_key' | 'priv_protocol' | 'priv_key') => {
      if (u[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `security level ${u.level} needs ${key}` });
    };
    if (u.level !== 'noAuthNoPriv') (['auth_protocol', 'auth_key'] as const).forEach(need);
    if (u.level === 'authPriv') (['priv_protocol', 'priv_key'] as const).forEach(need);
  });

/**
 * Selects links by what the operator knows them by: regexes on ifName,
 * ifAlias or ifDescr, and exact target labels. All given keys must match.
 */
export const linkMatcher = z
  .strictObject({
    name: regex.optional(),
    alias: regex.optional(),
    descr: regex.optional(),
    labels: z.record(z.string(), z.string()).optional(),
  })
  .refine((m) => Object.keys(m).length > 0, 'a link matcher needs name, alias, descr or labels');

/** Which interfaces of the device are reported. All filters must match. */
export const interfaceFilter = z.strictObject({
  /** Regex on the interface name (ifName, or ifDescr when ifName is empty). */
  include: regex.optional(),
  /** Regex on the interface name; matching interfaces are left out. */
  exclude: regex.optional(),
  /** Report only interfaces whose ifAdminStatus is one of these. Default: any. */
  admin_status: z.array(z.enum(['up', 'down', 'testing'])).min(1).optional(),
  /** Regex on ifAlias (the description an operator typed on the port). */
  alias: regex.optional(),
  /**
   * Links that page when down even if kpid never saw them up (an uplink that
   * is down when kpid starts). By default only a link once seen up is
   * monitored: docs/rules.md, "Monitored links".
   */
  must_be_up: z.array(linkMatcher).default([]),
  /** Links no interface rule ever alerts on, up or down (a lab port, a flapping access port). */
  never_alert: z.array(linkMatcher).default([]),
});


/** One value read from the device: a gauge as is, a counter as a rate or a per-poll increase. */
const customField = z.strictObject({
  oid,
  type: z.enum(['gauge', 'counter']),
  /** For counters: `rate` is per second, `delta` the increase since the previous poll. Default rate. */
  as: z.enum(['rate', 'delta']).default('rate'),
});

/**
 * Values outside IF-MIB. A scalar entry GETs each field's OID (write the
 * instance, e.g. `.0`). A table entry (`table: true`) walks each field's
 * column OID and emits one sample per row; `index_tag` names the tag that
 * carries the row index and `tags` maps other columns (names, trunk ids)
 * to tags.
 */
export const customEntry = z
  .strictObject({
    measurement: identifier,
    table: z.boolean().default(false),
    fields: z.record(identifier, customField).refine((f) => Object.keys(f).length > 0, 'at least one field'),
    index_tag: identifier.optional(),
    tags: z.record(identifier, oid).default({}),
  })
  .superRefine((e, ctx) => {
    if (!e.table && (e.index_tag || Object.keys(e.tags).length)) {
      ctx.addIssue({ code: 'custom', path: ['tags'], message: 'index_tag and tags map table rows; set table: true' });
    }
  });

export const snmpTarget = z
  .strictObject({
    version: z.union([z.literal(1), z.literal('1'), z.literal('2c'), z.literal(3), z.literal('3')]).default('2c')
      .transform((v) => String(v) as '1' | '2c' | '3'),
    community: z.string().min(1).optional(),
    user: snmpUser.optional(),
    port: z.number().int().min(1).max(65535).default(161),
    /** Wait for one answer, before a retry. */
    timeout: duration().default(1000),
    retries: z.number().int().min(0).max(10).default(1),
    /** Rows asked for in one GETBULK (v2c, v3). */
    max_repetitions: z.number().int().min(1).max(1000).default(25),
    /** Table columns walked at once against this device. */
    max_parallel_walks: z.number().int().min(1).max(64).default(4),
    /** A column longer than this ends the poll with table_too_long: guards against endless tables. */
    max_rows: z.number().int().min(1).default(100_000),
    modules: z.array(z.enum(['system', 'interfaces', 'custom'])).default(['system', 'interfaces']),
    interfaces: interfaceFilter.prefault({}),
    custom: z.array(customEntry).default([]),
    /**
     * After a poll fails for lack of an answer, re-poll this many times,
     * `delay` apart, before reporting the device down: a dead device is
     * declared within one interval, and one lost datagram declares nothing.
     */
    confirm: z.strictObject({
      attempts: z.number().int().min(0).max(10).default(2),
      delay: duration().default(1000),
    }).default({ attempts: 2, delay: 1000 }),
  })
  .superRefine((v, ctx) => {
    if (v.version === '3' && !v.user) ctx.addIssue({ code: 'custom', path: ['user'], message: 'SNMPv3 needs a user' });
    if (v.version !== '3' && !v.community) {
      ctx.addIssue({ code: 'custom', path: ['community'], message: `SNMP v${v.version} needs a community` });
    }
    if (v.custom.length > 0 && !v.modules.includes('custom')) {
      ctx.addIssue({ code: 'custom', path: ['modules'], message: 'custom OIDs are configured: add custom to modules' });
    }
  });

export type SnmpConfig = z.output<typeof snmpTarget>;
export type LinkMatcherConfig = z.output<typeof linkMatcher>;
export type SnmpUserConfig = z.output<typeof snmpUser>;
export type CustomEntryConfig = z.output<typeof customEntry>;
export type InterfaceFilterConfig = z.output<typeof interfaceFilter>;
