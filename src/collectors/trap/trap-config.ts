import { z } from 'zod';
import { listenAddress } from '../../config/duration-schema.js';
import { snmpUser } from '../snmp/snmp-config.js';

/**
 * The SNMP trap and inform receiver. The default port is 1162 because 162
 * needs root (or CAP_NET_BIND_SERVICE); see docs/traps.md for using 162.
 */
export const traps = z
  .strictObject({
    listen: listenAddress.default({ host: '0.0.0.0', port: 1162 }),
    /** v1/v2c community accepted; write it as ${TRAP_COMMUNITY}. */
    community: z.string().min(1).optional(),
    communities: z.array(z.string().min(1)).default([]),
    /** SNMPv3 USM users whose notifications are accepted. */
    users: z.array(snmpUser).default([]),
  })
  .superRefine((t, ctx) => {
    if (!t.community && t.communities.length === 0 && t.users.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'traps needs a community, communities or users; otherwise every trap would be rejected' });
    }
  });

export type TrapsConfig = z.output<typeof traps>;
