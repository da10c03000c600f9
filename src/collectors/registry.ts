import type { Logger } from '../core/logger.js';
import type { Collector, CollectorRegistry } from './collector.js';
import { IcmpCollector } from './icmp/icmp-collector.js';
import { TcpCollector } from './tcp/tcp-collector.js';
import { HttpCollector } from './http/http-collector.js';
import { DnsCollector } from './dns/dns-collector.js';
import { ThroughputCollector } from './throughput/throughput-collector.js';
import { SnmpCollector } from './snmp/snmp-collector.js';

/**
 * The one place collectors are registered. Building it has no side effects
 * until a collector is first used (fping is spawned on the first probe).
 */
export function createCollectors(log: Logger): CollectorRegistry {
  const all: Collector<any>[] = [new IcmpCollector({ log }), new TcpCollector(), new HttpCollector(), new DnsCollector(), new ThroughputCollector(),
    new SnmpCollector({ log })];
  return new Map(all.map((c) => [c.kind, c]));
}
