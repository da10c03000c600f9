import { decode, type Answer } from 'dns-packet';
import type { DnsProbeOptions } from './dns-options.js';

/**
 * Why a DNS probe failed. The word labels kpid_collector_errors_total; the
 * number is the `failure_reason` field of the probe sample (fields are
 * numbers), 0 when the probe succeeded.
 */
export const dnsFailureCodes = {
  timeout: 1,
  nxdomain: 2,
  servfail: 3,
  wrong_answer: 4,
  truncated: 5,
  refused: 6,
  rcode: 7,
  malformed: 8,
} as const;
export type DnsFailure = keyof typeof dnsFailureCodes;

export interface DnsVerdict {
  /** Response code of the answer (RFC 1035 §4.1.1): 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED. */
  readonly rcode: number;
  /** Records of the asked type in the answer section. */
  readonly answers: number;
  /** Whether the records meet expect_address / expect_regex; absent when nothing is expected. */
  readonly matches?: boolean;
  readonly failure?: DnsFailure;
  /** Records as text, for the error message. */
  readonly texts: readonly string[];
}

/** The TC bit of the header (RFC 1035 §4.1.1): the answer did not fit in the datagram. */
export function isTruncated(answer: Buffer): boolean {
  return (answer.readUInt16BE(2) & 0x0200) !== 0;
}

/** Judges a complete (untruncated) answer against what the probe expects. */
export function judgeAnswer(answer: Buffer, spec: DnsProbeOptions): DnsVerdict {
  // The rcode is read from the header itself: it is there even when the body does not parse.
  const rcode = answer.readUInt16BE(2) & 0x000f;
  const failByRcode: Partial<Record<number, DnsFailure>> = { 2: 'servfail', 3: 'nxdomain', 5: 'refused' };
  if (rcode !== 0) return { rcode, answers: 0, texts: [], failure: failByRcode[rcode] ?? 'rcode' };
  let records: Answer[];
  try {
    records = (decode(answer).answers ?? []).filter((a) => a.type === spec.recordType);
  } catch {
    return { rcode, answers: 0, texts: [], failure: 'malformed' };
  }
  const texts = records.map(recordText);
  const expectsSomething = spec.expectAddress !== undefined || spec.expectRegex !== undefined;
  if (!expectsSomething) return { rcode, answers: records.length, texts };
  const addressOk = !spec.expectAddress || texts.some((t) => spec.expectAddress!.some((a) => sameAddress(a, t)));
  const pattern = spec.expectRegex === undefined ? undefined : new RegExp(spec.expectRegex);
  const regexOk = !pattern || texts.some((t) => pattern.test(t));
  const matches = addressOk && regexOk;
  return { rcode, answers: records.length, texts, matches, ...(matches ? {} : { failure: 'wrong_answer' as const }) };
}

/** A record's data as an operator would write it: an address, a name, the joined TXT strings. */
function recordText(a: Answer): string {
  const data: unknown = (a as { data?: unknown }).data;
  if (typeof data === 'string') return data;
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return data.map((d) => (Buffer.isBuffer(d) ? d.toString('utf8') : String(d))).join('');
  if (a.type === 'MX') return `${a.data.preference} ${a.data.exchange}`;
  if (a.type === 'SRV') return `${a.data.priority} ${a.data.weight} ${a.data.port} ${a.data.target}`;
  return JSON.stringify(data);
}

/** IPv6 has many spellings of one address; compare them in one canonical form. */
function sameAddress(expected: string, actual: string): boolean {
  return canonical(expected) === canonical(actual);
}

function canonical(address: string): string {
  try {
    return new URL(`http://[${address}]/`).hostname;
  } catch {
    return address;
  }
}
