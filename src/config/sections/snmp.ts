import { z } from 'zod';
import { duration } from '../duration-schema.js';

/** SNMPv3 USM user. Keys come from the environment (`${VAR}`), never the file. */
export const snmpUser = z.strictObject({
  name: z.string().min(1),
  level: z.enum(['noAuthNoPriv', 'authNoPriv', 'authPriv']).default('authPriv'),
  auth_protocol: z.enum(['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512']).optional(),
  auth_key: z.string().min(8, 'auth_key must be at least 8 characters (RFC 3414)').optional(),
  priv_protocol: z.enum(['des', 'aes', 'aes256b', 'aes256r']).optional(),
  priv_key: z.string().min(8, 'priv_key must be at least 8 characters (RFC 3414)').optional(),
});

export const snmpTarget = z
  .strictObject({
    version: z.union([z.literal(1), z.literal('1'), z.literal('2c'), z.literal(3), z.literal('3')]).default('2c')
      .transform((v) => String(v) as '1' | '2c' | '3'),
    community: z.string().min(1).optional(),
    user: snmpUser.optional(),
    port: z.number().int().min(1).max(65535).default(161),
    timeout: duration().default(2000),
    retries: z.number().int().min(0).max(10).default(1),
    max_repetitions: z.number().int().min(1).max(1000).default(25),
    modules: z.array(z.string().min(1)).default(['system', 'interfaces']),
  })
  .superRefine((v, ctx) => {
    if (v.version === '3' && !v.user) ctx.addIssue({ code: 'custom', path: ['user'], message: 'SNMPv3 needs a user' });
    if (v.version !== '3' && !v.community) {
      ctx.addIssue({ code: 'custom', path: ['community'], message: `SNMP v${v.version} needs a community` });
    }
  });
