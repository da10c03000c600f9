import { z } from 'zod';
import { dnsProbe } from '../../collectors/dns/dns-config.js';
import { httpProbe } from '../../collectors/http/http-config.js';
import { icmpProbe } from '../../collectors/icmp/icmp-config.js';
import { tcpProbe } from '../../collectors/tcp/tcp-config.js';
import { throughputProbe } from '../../collectors/throughput/throughput-config.js';

/**
 * A target's `probes:` entry. Each probe's schema lives with its collector
 * (collectors/<type>/<type>-config.ts); a new probe type adds its schema here.
 */
export const probe = z.discriminatedUnion('type', [icmpProbe, tcpProbe, httpProbe, dnsProbe, throughputProbe], {
  error: (issue) =>
    issue.code === 'invalid_union' ? 'unknown probe type; expected one of: icmp, tcp, http, dns, throughput' : undefined,
});
