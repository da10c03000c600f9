import { systemClock, type Clock } from '../core/clock.js';
import type { LinksSeenUp } from '../core/links-seen-up.js';
import type { Logger } from '../core/logger.js';
import type { Collector, CollectorRegistry } from '../core/collector.js';
import { IcmpCollector } from './icmp/icmp-collector.js';
import { TcpCollector } from './tcp/tcp-collector.js';
import { HttpCollector } from './http/http-collector.js';
import { DnsCollector } from './dns/dns-collector.js';
import { ThroughputCollector } from './throughput/throughput-collector.js';
import { SnmpCollector } from './snmp/snmp-collector.js';

/**
 * The one place collectors are registered. Building it has no side effects
 * until a collector is first used (fping is spawned on the first probe).
 * Given a clock (the demo's scaled one), every collector reads it.
 * `linksSeenUp` (the state store) lets the SNMP collector remember used links across restarts.
 */
export function createCollectors(log: Logger, clock: Clock = systemClock, linksSeenUp?: LinksSeenUp): CollectorRegistry {
  const all: Collector<any>[] = [new IcmpCollector({ log, clock }), new TcpCollector(clock), new HttpCollector(clock), new DnsCollector(),
    new ThroughputCollector(), new SnmpCollector({ log, clock, linksSeenUp })];
  return new Map(all.map((c) => [c.kind, c]));
}
