import { randomInt } from 'node:crypto';
import { encode, RECURSION_DESIRED } from 'dns-packet';
import { systemClock, type Clock } from '../../core/clock.js';
import { CollectorError } from '../../core/errors.js';
import type { Sample } from '../../core/sample.js';
import type { Target } from '../../core/target.js';
import { dnsOptions, type DnsSpec } from './dns-options.js';
import type { Collector } from '../../core/collector.js';
import { resolveAddress } from '../resolve-address.js';
import { askOverTcp, askOverUdp, type DnsServer, type Exchange } from './dns-exchange.js';
import { dnsFailureCodes, isTruncated, judgeAnswer, type DnsFailure } from './dns-verdict.js';

const INTEGER_FIELDS = ['success', 'rcode', 'answers', 'answer_matches', 'tcp', 'truncated', 'failure_reason'];

/**
 * DNS probe: asks the configured resolver (default: the target) one
 * question over UDP, and again over TCP when the answer is truncated.
 * Reports the rcode, the answer time (rtt_seconds, from the first send to
 * the usable answer) and whether the answer is the expected one.
 *
 * Each failure kind (timeout, nxdomain, servfail, wrong_answer, truncated,
 * refused, ...) is a CollectorError with that reason, carrying the sample
 * with `success = 0` and `failure_reason` set, so it is both counted in
 * kpid_collector_errors_total and stored.
 */
export class DnsCollector implements Collector<DnsSpec> {
  readonly kind = 'dns';

  constructor(private readonly clock: Clock = systemClock) {}

  async collect(target: Target, block: DnsSpec, signal: AbortSignal): Promise<Sample[]> {
    const spec = dnsOptions(block);
    const tags = { target: target.name, site: target.site, probe: spec.name };
    const sample = (fields: Record<string, number>): Sample => ({
      measurement: 'probe', tags, fields, time: this.clock.now(), integerFields: INTEGER_FIELDS,
    });
    const host = spec.server ?? target.address;
    let address: string;
    try {
      address = await resolveAddress('dns', target.name, host);
    } catch (err) {
      const e = err as CollectorError;
      throw new CollectorError('dns', e.reason, e.message, e.context, [sample({ success: 0 })]);
    }
    const server: DnsServer = { address, port: spec.port, answerTimeout: spec.answerTimeout };
    const query = encode({
      type: 'query',
      id: randomInt(0, 0x10000),
      flags: RECURSION_DESIRED,
      questions: [{ type: spec.recordType, name: spec.query }],
    });

    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    let exchange: Exchange = await askOverUdp(server, query, signal);
    let truncated = 0;
    let overTcp = 0;
    if ('answer' in exchange && isTruncated(exchange.answer)) {
      truncated = 1;
      if (spec.tcpFallback) {
        overTcp = 1;
        exchange = await askOverTcp(server, query, signal);
      }
    }
    const elapsed = seconds();
    const where = `${address}#${spec.port}`;
    const fail = (reason: DnsFailure, why: string, fields: Record<string, number> = {}): never => {
      throw new CollectorError('dns', reason, `target "${target.name}": ${spec.name}: ${why} from ${where}`,
        { target: target.name, probe: spec.name, server: where },
        [sample({ success: 0, truncated, tcp: overTcp, failure_reason: dnsFailureCodes[reason], ...fields })]);
    };

    if ('failed' in exchange) {
      if (overTcp) return fail('truncated', `truncated over UDP, and the TCP retry failed (${exchange.failed})`);
      return fail('timeout', `no answer within ${spec.answerTimeout}ms`);
    }
    if (isTruncated(exchange.answer)) return fail('truncated', 'answer truncated over UDP and TCP fallback is off');
    const verdict = judgeAnswer(exchange.answer, spec);
    const fields: Record<string, number> = {
      rcode: verdict.rcode,
      answers: verdict.answers,
      rtt_seconds: elapsed,
      truncated,
      tcp: overTcp,
      ...(verdict.matches === undefined ? {} : { answer_matches: verdict.matches ? 1 : 0 }),
    };
    if (verdict.failure) {
      const why = verdict.failure === 'wrong_answer'
        ? `unexpected answer [${verdict.texts.join(', ')}]`
        : `rcode ${verdict.rcode} (${verdict.failure})`;
      return fail(verdict.failure, why, fields);
    }
    return [sample({ success: 1, failure_reason: 0, ...fields })];
  }
}
